"""Volunteering: roles, trainings, clearances, eligibility, shifts, signups, attendance, hours."""
