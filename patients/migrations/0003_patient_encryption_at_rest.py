"""Encryption at rest of the patient's NIK, phone numbers and email, with blind indexes.

Schema: the four columns widen to hold ciphertext and lose their indexes (a random ciphertext
cannot be searched); nik_hash (unique: a NIK is registered once), phone_hash and email_hash
(indexed) hold the keyed HMACs that exact search uses (core/crypto.py).
Data: every existing plain value is encrypted with the current FIELD_ENCRYPTION_KEYS key and its
blind index filled; backwards, the values are decrypted again. Both go through SQL on the raw
column values: the model's fields would decrypt (and refuse plain text) on reading.
"""

from django.db import migrations, models

import core.fields
import django.core.validators
from core import crypto

ENCRYPTED = ("nik", "phone", "email", "emergency_contact_phone")
BLIND_INDEXES = {"nik_hash": "nik", "phone_hash": "phone", "email_hash": "email"}  # column: source and kind
BATCH = 500
PHONE = django.core.validators.RegexValidator(
    "^\\+62\\d{8,13}$", "Write the phone number as +62 followed by 8 to 13 digits, e.g. +6281234567890."
)


def _plain(value):
    return crypto.decrypt(value, label="a patient's identifier") if crypto.is_encrypted(value) else value


def _rewrite(apps, schema_editor, columns, convert):
    """Reads (id, *ENCRYPTED) of every patient, writes `columns` = convert(plain values)."""
    table = apps.get_model("patients", "Patient")._meta.db_table
    qn = schema_editor.quote_name
    # Table and column names come from the model and are quoted by the backend: no user input.
    columns_sql = ", ".join(qn(c) for c in ("id", *ENCRYPTED))
    select = f"SELECT {columns_sql} FROM {qn(table)} ORDER BY {qn('id')}"  # nosec B608
    update = f"UPDATE {qn(table)} SET {', '.join(f'{qn(c)} = %s' for c in columns)} WHERE {qn('id')} = %s"  # nosec B608
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(select)
        rows = cursor.fetchall()
    for start in range(0, len(rows), BATCH):
        params = []
        for pk, *values in rows[start:start + BATCH]:
            plain = {name: _plain(value) for name, value in zip(ENCRYPTED, values, strict=True)}
            if plain["nik"] == "":
                plain["nik"] = None
            params.append([*convert(plain), pk])
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(update, params)


def encrypt_rows(apps, schema_editor):
    def convert(plain):
        stored = [crypto.encrypt(plain[name]) if plain[name] else plain[name] for name in ENCRYPTED]
        return stored + [crypto.blind_index(kind, plain[kind]) for kind in BLIND_INDEXES.values()]

    _rewrite(apps, schema_editor, [*ENCRYPTED, *BLIND_INDEXES], convert)


def decrypt_rows(apps, schema_editor):
    _rewrite(apps, schema_editor, ENCRYPTED, lambda plain: [plain[name] for name in ENCRYPTED])


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0002_patients_full_name_prefix_index_postgresql"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="patient", name="patients_phone_idx"),
        migrations.RemoveIndex(model_name="patient", name="patients_email_idx"),
        migrations.AlterField(
            model_name="patient",
            name="nik",
            field=core.fields.EncryptedCharField(
                blank=True, help_text="16-digit national identity number (KTP); leave empty if unknown.",
                max_length=16, null=True, verbose_name="NIK",
                validators=[django.core.validators.RegexValidator("^\\d{16}$", "NIK must be exactly 16 digits.")],
            ),
        ),
        migrations.AlterField(
            model_name="patient",
            name="phone",
            field=core.fields.EncryptedCharField(blank=True, max_length=20, validators=[PHONE], verbose_name="phone"),
        ),
        migrations.AlterField(
            model_name="patient",
            name="email",
            field=core.fields.EncryptedEmailField(blank=True, max_length=254, verbose_name="email"),
        ),
        migrations.AlterField(
            model_name="patient",
            name="emergency_contact_phone",
            field=core.fields.EncryptedCharField(
                blank=True, max_length=20, validators=[PHONE], verbose_name="emergency contact phone"
            ),
        ),
        migrations.AddField(
            model_name="patient",
            name="nik_hash",
            field=core.fields.BlindIndexField(
                blank=True, editable=False, kind="nik", max_length=64, null=True, source="nik", unique=True
            ),
        ),
        migrations.AddField(
            model_name="patient",
            name="phone_hash",
            field=core.fields.BlindIndexField(
                blank=True, editable=False, kind="phone", max_length=64, null=True, source="phone"
            ),
        ),
        migrations.AddField(
            model_name="patient",
            name="email_hash",
            field=core.fields.BlindIndexField(
                blank=True, editable=False, kind="email", max_length=64, null=True, source="email"
            ),
        ),
        migrations.AddIndex(
            model_name="patient", index=models.Index(fields=["phone_hash"], name="patients_phone_hash_idx")
        ),
        migrations.AddIndex(
            model_name="patient", index=models.Index(fields=["email_hash"], name="patients_email_hash_idx")
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
    ]
