from django.urls import path

from dashboard import views
from dashboard.views import audit, messages, personal_data

app_name = "dashboard"

urlpatterns = [
    path("coordinator/", views.coordinator_home, name="coordinator_home"),
    path("coordinator/people/<int:user_id>/", views.person_record, name="person"),
    path("coordinator/people/<int:user_id>/audit/", audit.person_audit, name="person_audit"),
    path("coordinator/audit/", audit.audit_trail, name="audit"),
    path("coordinator/audit/export.csv", audit.audit_export, name="audit_export"),
    path(
        "coordinator/people/<int:user_id>/data/",
        personal_data.person_data,
        name="person_data",
    ),
    path(
        "coordinator/people/<int:user_id>/data/export/",
        personal_data.person_export,
        name="person_export",
    ),
    path("coordinator/messages/", messages.group_message_list, name="group_messages"),
    path("coordinator/messages/new/", messages.group_message_compose, name="group_message_new"),
    path("coordinator/messages/<int:pk>/", messages.group_message_detail, name="group_message"),
]
