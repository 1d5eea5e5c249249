"""Staff roles replace the single coordinator role: every coordinator becomes an
administrator (they could do everything before), and the new roles get their groups."""

from django.db import migrations

STAFF_ROLES = (
    "administrator",
    "volunteer_coordinator",
    "safeguarding_lead",
    "fundraiser",
    "viewer",
)


def coordinators_become_administrators(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in STAFF_ROLES}
    old = Group.objects.filter(name="coordinator").first()
    if old is not None:
        groups["administrator"].user_set.add(*old.user_set.all())
        old.delete()


def administrators_become_coordinators(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    coordinator, _ = Group.objects.get_or_create(name="coordinator")
    for name in STAFF_ROLES:
        group = Group.objects.filter(name=name).first()
        if group is not None:
            coordinator.user_set.add(*group.user_set.all())
            group.delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_user_name_order_index")]

    operations = [
        migrations.RunPython(coordinators_become_administrators, administrators_become_coordinators)
    ]
