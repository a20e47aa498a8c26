from django.db import migrations


class Migration(migrations.Migration):
    """The audit log and emergency accesses now belong to the audit app (audit 0001). Only
    Django's idea of which app owns them changes: the tables and their rows stay as they are."""

    dependencies = [
        ("accounts", "0002_audit_log_and_emergency_access"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="EmergencyAccess"),
                migrations.DeleteModel(name="AuditLog"),
                migrations.DeleteModel(name="AuditHead"),
            ],
            database_operations=[],
        ),
    ]
