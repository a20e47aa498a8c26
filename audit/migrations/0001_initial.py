import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED_MODELS = ("auditlog", "audithead", "emergencyaccess")


def content_types_follow(from_app: str, to_app: str):
    """The moved models keep their content types (the admin's history and the permissions hang on
    them): the rows are renamed to the new app, not left behind for new ones."""

    def rename(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        types = ContentType.objects.using(schema_editor.connection.alias)
        for model in MOVED_MODELS:
            if not types.filter(app_label=to_app, model=model).exists():
                types.filter(app_label=from_app, model=model).update(app_label=to_app)

    return rename


class Migration(migrations.Migration):
    """The audit log's tables (audit_log, audit_head, emergency_access) were created by accounts
    0002; here the audit app takes them over in Django's state only (no schema change), and their
    content types are renamed to the audit app."""

    initial = True

    dependencies = [
        ("accounts", "0003_audit_models_move_to_audit"),
        ("patients", "0002_patients_full_name_prefix_index_postgresql"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditHead',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('seq', models.PositiveBigIntegerField(default=0)),
                        ('hash', models.CharField(blank=True, max_length=64)),
                    ],
                    options={
                        'db_table': 'audit_head',
                    },
                ),
                migrations.CreateModel(
                    name='AuditLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='when')),
                        ('actor_username', models.CharField(blank=True, max_length=150, verbose_name='username')),
                        ('action', models.CharField(choices=[('read', 'Read'), ('create', 'Create'), ('update', 'Update'), ('delete', 'Delete'), ('login', 'Login'), ('login_failed', 'Failed login'), ('lockout', 'Lockout'), ('denied', 'Access denied'), ('emergency_access', 'Emergency access'), ('export', 'Export'), ('print', 'Print')], max_length=20, verbose_name='action')),
                        ('object_type', models.CharField(blank=True, max_length=100, verbose_name='object type')),
                        ('object_id', models.CharField(blank=True, max_length=64, verbose_name='object id')),
                        ('what', models.CharField(blank=True, max_length=255, verbose_name='what')),
                        ('changes', models.JSONField(blank=True, default=dict, verbose_name='changes')),
                        ('ip_address', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                        ('user_agent', models.CharField(blank=True, max_length=255, verbose_name='browser')),
                        ('seq', models.PositiveBigIntegerField(blank=True, null=True, unique=True, verbose_name='chain position')),
                        ('prev_hash', models.CharField(blank=True, max_length=64, verbose_name='previous hash')),
                        ('hash', models.CharField(blank=True, max_length=64, verbose_name='hash')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                        ('patient', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='patients.patient', verbose_name='patient')),
                    ],
                    options={
                        'verbose_name': 'audit log entry',
                        'verbose_name_plural': 'audit log',
                        'db_table': 'audit_log',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['created_at'], name='audit_log_created_idx'), models.Index(fields=['patient', 'created_at'], name='audit_log_patient_idx'), models.Index(fields=['actor_username', 'created_at'], name='audit_log_actor_idx'), models.Index(fields=['action', 'created_at'], name='audit_log_action_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='EmergencyAccess',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reason', models.TextField(verbose_name='reason')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='opened at')),
                        ('expires_at', models.DateTimeField(verbose_name='valid until')),
                        ('ip_address', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                        ('doctor', models.ForeignKey(limit_choices_to={'role': 'doctor'}, on_delete=django.db.models.deletion.PROTECT, related_name='emergency_accesses', to=settings.AUTH_USER_MODEL, verbose_name='doctor')),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='patients.patient', verbose_name='patient')),
                    ],
                    options={
                        'verbose_name': 'emergency access',
                        'verbose_name_plural': 'emergency accesses',
                        'db_table': 'emergency_access',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['doctor', 'patient', 'expires_at'], name='emergency_access_lookup_idx'), models.Index(fields=['created_at'], name='emergency_access_created_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('expires_at__gt', models.F('created_at'))), name='emergency_access_expires_after_start')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_follow("accounts", "audit"), content_types_follow("audit", "accounts")),
    ]
