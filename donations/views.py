from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import donor_required


@donor_required
def home(request: HttpRequest) -> HttpResponse:
    """A donor's start page: their gifts, receipts and monthly giving."""
    return render(request, "donations/home.html")
