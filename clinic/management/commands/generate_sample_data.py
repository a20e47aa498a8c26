"""Writes the demo data set of a believable Indonesian clinic as Django JSON fixtures.

    python manage.py generate_sample_data            # writes fixtures/*.json
    python manage.py loaddata users patients scheduling records billing

The output is byte-identical on every run: one seeded random.Random, a seeded Faker("id_ID"),
a fixed anchor date (2026-11-25, "today" in the data, at 10.30 WIB) and password hashes with a
fixed salt per user. clinic/tests/test_sample_data.py regenerates the files and compares them with
the committed ones, so the generator and the fixtures cannot drift apart.

`loaddata` writes raw rows (no save(), no services, no auto_now), so every row written here is
already consistent: bill totals equal their lines, statuses match the money received,
`slot_active` matches the status, timestamps are set explicitly.

One file per app, in load order: users → patients (doctors, working hours, patients) →
scheduling (services, appointments, their services) → records (medical records, lab results) →
billing (insurance, bills, payments).
"""

import argparse
import datetime as dt
import json
import math
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from random import Random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.core.management.base import BaseCommand, CommandError

SEED = 20261125
DEFAULT_TODAY = dt.date(2026, 11, 25)
# The moment the data pretends it is on the anchor day: the morning clinic is under way.
NOW_TIME = dt.time(10, 30)
JAKARTA = ZoneInfo("Asia/Jakarta")
DEMO_PASSWORD = "klinik-demo-2026"
SLOT_MINUTES = 15  # as scheduling.services.appointment_duration
FILES = ("users", "patients", "scheduling", "records", "billing")

PAST_DAYS, FUTURE_DAYS = 42, 21  # six weeks back, three weeks ahead
PAST_APPOINTMENTS, FUTURE_APPOINTMENTS = 125, 40
N_PATIENTS = 80

# --- staff -------------------------------------------------------------------------------------

# (username, role, first name, last name, superuser); every one gets DEMO_PASSWORD.
STAFF = [
    ("admin", "admin", "Agus", "Setiawan", True),
    ("resepsionis", "receptionist", "Dewi", "Anggraini", False),
    ("dokter", "doctor", "Andi", "Pratama", False),
    ("dokter2", "doctor", "Maya", "Lestari", False),
    ("dokter3", "doctor", "Siti", "Rahmawati", False),
    ("dokter4", "doctor", "Budi", "Santoso", False),
    ("dokter5", "doctor", "Ratna", "Kusumawardani", False),
]

# Working blocks: weekdays (0 = Monday) → (from, until).
MON_SAT, MON_FRI = (0, 1, 2, 3, 4, 5), (0, 1, 2, 3, 4)
DOCTORS = [
    {
        "kind": "umum", "full_name": "dr. Andi Pratama", "specialization": "Dokter Umum",
        "username": "dokter", "consult": "KONS-UMUM", "license": "SIP 503/0412/SIP-DU/DPMPTSP/2024",
        "hours": [(MON_SAT, "08:00", "14:00"), (MON_FRI, "16:00", "21:00")], "weight": 30,
    },
    {
        "kind": "gigi", "full_name": "drg. Maya Lestari", "specialization": "Dokter Gigi",
        "username": "dokter2", "consult": "KONS-GIGI", "license": "SIP 503/0188/SIP-DG/DPMPTSP/2023",
        "hours": [(MON_FRI, "09:00", "12:00"), (MON_FRI, "17:00", "20:00"), ((5,), "09:00", "13:00")],
        "weight": 18,
    },
    {
        "kind": "anak", "full_name": "dr. Siti Rahmawati, Sp.A", "specialization": "Spesialis Anak (Sp.A)",
        "username": "dokter3", "consult": "KONS-SPES", "license": "SIP 503/0731/SIP-SP/DPMPTSP/2022",
        "hours": [((0, 2, 4), "08:00", "12:00"), ((1, 3), "16:00", "20:00"), ((5,), "08:00", "11:00")],
        "weight": 18,
    },
    {
        "kind": "pd", "full_name": "dr. Budi Santoso, Sp.PD", "specialization": "Spesialis Penyakit Dalam (Sp.PD)",
        "username": "dokter4", "consult": "KONS-SPES", "license": "SIP 503/0655/SIP-SP/DPMPTSP/2023",
        "hours": [((0, 1, 2, 3), "13:00", "17:00"), ((5,), "08:00", "12:00")], "weight": 14,
    },
    {
        "kind": "og", "full_name": "dr. Ratna Kusumawardani, Sp.OG",
        "specialization": "Spesialis Kandungan (Sp.OG)",
        "username": "dokter5", "consult": "KONS-SPES", "license": "SIP 503/0902/SIP-SP/DPMPTSP/2024",
        "hours": [((1, 3, 5), "09:00", "13:00"), ((0, 2), "16:00", "20:00")], "weight": 12,
    },
    {
        # A visiting specialist without a login of her own: the receptionist keeps her schedule.
        "kind": "kulit", "full_name": "dr. Hendra Wijaya, Sp.DV", "specialization": "Spesialis Kulit (Sp.DV)",
        "username": None, "consult": "KONS-SPES", "license": "SIP 503/1047/SIP-SP/DPMPTSP/2025",
        "hours": [((2, 4), "15:00", "19:00"), ((5,), "10:00", "14:00")], "weight": 8,
    },
]

# --- price list --------------------------------------------------------------------------------

# (code, name, price in rupiah, minutes, active)
SERVICES = [
    ("KONS-UMUM", "Konsultasi Dokter Umum", 75000, 15, True),
    ("KONS-GIGI", "Konsultasi Dokter Gigi", 100000, 15, True),
    ("KONS-SPES", "Konsultasi Dokter Spesialis", 200000, 20, True),
    ("LAB-GDS", "Pemeriksaan Gula Darah Sewaktu", 30000, 5, True),
    ("LAB-GDP", "Pemeriksaan Gula Darah Puasa", 35000, 5, True),
    ("LAB-HBA1C", "Pemeriksaan HbA1c", 180000, 5, True),
    ("LAB-KOL", "Cek Kolesterol Total", 55000, 5, True),
    ("LAB-LIPID", "Profil Lipid Lengkap", 175000, 5, True),
    ("LAB-AU", "Pemeriksaan Asam Urat", 35000, 5, True),
    ("LAB-DL", "Darah Lengkap", 110000, 10, True),
    ("LAB-UL", "Urinalisis", 65000, 10, True),
    ("LAB-FG", "Fungsi Ginjal (Ureum, Kreatinin)", 120000, 5, True),
    ("GIGI-TAMBAL", "Tambal Gigi Komposit", 300000, 30, True),
    ("GIGI-SCALING", "Scaling (Pembersihan Karang Gigi)", 350000, 45, True),
    ("GIGI-CABUT", "Cabut Gigi", 250000, 30, True),
    ("VAKS-INFL", "Vaksin Influenza", 275000, 10, True),
    ("VAKS-ANAK", "Imunisasi Anak (Jadwal IDAI)", 150000, 10, True),
    ("TIND-NEBU", "Nebulizer", 85000, 15, True),
    ("TIND-EKG", "Rekam Jantung (EKG)", 150000, 15, True),
    ("TIND-USG", "USG Kandungan", 250000, 20, True),
    ("TIND-LUKA", "Rawat Luka", 75000, 15, True),
    ("TIND-KB", "Suntik KB 3 Bulan", 45000, 10, True),
    ("KULIT-KAUTER", "Kauterisasi Kutil", 400000, 30, True),
    ("KULIT-KOMEDO", "Ekstraksi Komedo", 200000, 30, True),
    ("ADM-SURAT", "Surat Keterangan Sehat", 50000, 10, True),
    # No longer offered; kept because a price list keeps its history.
    ("LAB-ANTIGEN", "Rapid Test Antigen SARS-CoV-2", 150000, 15, False),
]

# Which lab tests each laboratory service reports.
LAB_PANELS = {
    "LAB-GDS": ["gds"],
    "LAB-GDP": ["gdp"],
    "LAB-HBA1C": ["hba1c"],
    "LAB-KOL": ["kol"],
    "LAB-LIPID": ["kol", "ldl", "hdl", "tg"],
    "LAB-AU": ["au"],
    "LAB-DL": ["hb", "leu", "trombo", "ht"],
    "LAB-UL": ["leu_urin", "eri_urin", "bj_urin", "ph_urin"],
    "LAB-FG": ["ureum", "kreat"],
}

# key → (test name, unit, reference low, reference high, normal range drawn from, decimals).
# A None limit means the range is open on that side ("< 200 mg/dL").
LAB_TESTS = {
    "hb": ("Hemoglobin", "g/dL", 12, 16, (12.4, 15.6), 1),
    "leu": ("Leukosit", "10^3/µL", 4, 11, (4.6, 10.2), 1),
    "trombo": ("Trombosit", "10^3/µL", 150, 400, (170, 380), 0),
    "ht": ("Hematokrit", "%", 36, 48, (37, 46), 1),
    "gds": ("Gula darah sewaktu", "mg/dL", 70, 140, (82, 135), 0),
    "gdp": ("Gula darah puasa", "mg/dL", 70, 100, (74, 98), 0),
    "hba1c": ("HbA1c", "%", 4, 5.6, (4.4, 5.5), 1),
    "kol": ("Kolesterol total", "mg/dL", None, 200, (140, 196), 0),
    "ldl": ("Kolesterol LDL", "mg/dL", None, 130, (70, 126), 0),
    "hdl": ("Kolesterol HDL", "mg/dL", 40, None, (42, 68), 0),
    "tg": ("Trigliserida", "mg/dL", None, 150, (70, 145), 0),
    "au": ("Asam urat", "mg/dL", 2.4, 7, (3.2, 6.6), 1),
    "ureum": ("Ureum", "mg/dL", 15, 40, (17, 38), 0),
    "kreat": ("Kreatinin", "mg/dL", 0.6, 1.2, (0.65, 1.15), 2),
    "leu_urin": ("Leukosit urin", "/LPB", 0, 5, (0, 4), 0),
    "eri_urin": ("Eritrosit urin", "/LPB", 0, 2, (0, 2), 0),
    "bj_urin": ("Berat jenis urin", "", 1.005, 1.03, (1.010, 1.025), 3),
    "ph_urin": ("pH urin", "", 4.5, 8, (5, 7), 1),
}

# --- clinical cases ----------------------------------------------------------------------------
# Each visit follows one case: it gives the reason for booking, the services, and, once the visit
# is completed, the medical record (complaint, diagnosis + ICD-10, treatment, prescription) and
# which lab values lean out of range. "optional" services are added with the given chance.

AMOX = "Amoksisilin 500 mg 3x1 tab (habiskan)"
AMOX_SYRUP = "Amoksisilin sirup 125 mg/5 ml 3x1 sdt (habiskan)"
PCT = "Paracetamol 500 mg 3x1 tab (bila demam/nyeri)"
PCT_SYRUP = "Paracetamol sirup 120 mg/5 ml 3x1 sdt (bila demam)"
MEFENAMAT = "Asam mefenamat 500 mg 3x1 tab (bila nyeri)"

CASES = {
    "umum": [
        dict(key="ispa", w=5, reason="Batuk pilek dan demam",
             complaints=["Batuk berdahak dan pilek sejak 3 hari, disertai demam ringan dan nyeri tenggorokan.",
                         "Pilek, bersin-bersin, dan batuk kering sejak 2 hari; badan terasa meriang."],
             diagnosis="Infeksi saluran pernapasan akut (ISPA)", icd="J06.9",
             treatment="Istirahat cukup dan perbanyak minum air hangat. Kontrol bila demam lebih dari 3 hari.",
             rx=[PCT, "Ambroxol 30 mg 3x1 tab", "CTM 4 mg 3x1 tab"], fever=True, optional={"LAB-DL": 0.25}),
        dict(key="ht", w=4, chronic=True, min_age=35, reason="Kontrol tekanan darah",
             complaints=["Pusing dan tengkuk terasa berat sejak 2 hari.",
                         "Kontrol rutin tekanan darah; obat habis sejak 3 hari."],
             diagnosis="Hipertensi esensial (primer)", icd="I10",
             treatment="Edukasi diet rendah garam, berhenti merokok, dan olahraga teratur. Kontrol 2 minggu lagi.",
             rx=["Amlodipin 5 mg 1x1 tab (pagi)"], bp="high",
             optional={"LAB-KOL": 0.35, "TIND-EKG": 0.2}, labs={"kol": 0.5}),
        dict(key="dm", w=3, chronic=True, min_age=35, reason="Kontrol gula darah",
             complaints=["Sering haus, sering buang air kecil di malam hari, badan mudah lelah.",
                         "Kontrol gula darah rutin; kesemutan di kedua telapak kaki."],
             diagnosis="Diabetes melitus tipe 2 tanpa komplikasi", icd="E11.9",
             treatment="Edukasi diet diabetes (3J) dan jalan kaki 30 menit sehari. Kontrol 1 bulan.",
             rx=["Metformin 500 mg 2x1 tab sesudah makan"], services=["LAB-GDP"],
             optional={"LAB-FG": 0.2}, labs={"gdp": 0.8, "gds": 0.8, "ureum": 0.2, "kreat": 0.2}),
        dict(key="dispepsia", w=3, reason="Nyeri ulu hati",
             complaints=["Nyeri ulu hati, mual, dan perut kembung terutama setelah telat makan.",
                         "Perih di ulu hati sejak 4 hari, sering bersendawa."],
             diagnosis="Dispepsia", icd="K30",
             treatment="Makan teratur dengan porsi kecil; hindari makanan pedas, asam, dan kopi.",
             rx=["Antasida doen 3x1 tab kunyah sebelum makan", "Omeprazol 20 mg 1x1 kaps sebelum makan pagi"]),
        dict(key="diare", w=2, reason="Diare",
             complaints=["BAB cair lebih dari 5 kali sejak kemarin, mual, tanpa darah dan lendir."],
             diagnosis="Diare dan gastroenteritis", icd="A09",
             treatment="Rehidrasi oral dan makanan lunak. Segera kembali bila lemas atau tidak bisa minum.",
             rx=["Oralit 200 ml setiap selesai BAB cair",
                 "Attapulgit 600 mg 2 tab setiap BAB cair (maks. 12 tab/hari)"],
             fever=0.4),
        dict(key="dbd", w=2, reason="Demam tinggi 3 hari",
             complaints=["Demam tinggi mendadak sejak 3 hari, nyeri otot dan sendi, nyeri di belakang mata."],
             diagnosis="Demam dengue", icd="A90",
             treatment="Minum 2–3 liter sehari, cek darah lengkap ulang 24 jam lagi; "
                       "segera ke IGD bila muncul perdarahan, nyeri perut hebat, atau lemas.",
             rx=[PCT], fever=True, services=["LAB-DL"], labs={"trombo": 0.85, "leu": 0.6, "ht": 0.4},
             lab_direction={"trombo": "low", "leu": "low", "ht": "high"}),
        dict(key="luka", w=2, reason="Luka robek",
             complaints=["Luka robek di telapak kaki kanan terkena pecahan kaca 2 jam yang lalu.",
                         "Luka lecet dan robek di lutut kiri karena jatuh dari motor pagi ini."],
             diagnosis="Luka terbuka (vulnus laceratum)", icd="T14.1",
             treatment="Rawat luka dan pembalutan; ganti balutan tiap 2 hari dan jaga luka tetap kering.",
             rx=[AMOX, MEFENAMAT], services=["TIND-LUKA"]),
        dict(key="asma", w=1.5, reason="Sesak napas",
             complaints=["Sesak napas dan mengi sejak tadi malam setelah membersihkan gudang berdebu."],
             diagnosis="Asma", icd="J45.9",
             treatment="Nebulisasi salbutamol di klinik, sesak berkurang. Hindari debu dan asap rokok.",
             rx=["Salbutamol 2 mg 3x1 tab", "Metilprednisolon 4 mg 3x1 tab selama 3 hari"],
             services=["TIND-NEBU"], asthma=True),
        dict(key="sehat", w=1.5, reason="Surat keterangan sehat",
             complaints=["Pemeriksaan kesehatan untuk syarat melamar kerja; tidak ada keluhan."],
             diagnosis="Pemeriksaan kesehatan umum, tidak ditemukan kelainan", icd="Z00.0",
             treatment="Surat keterangan sehat diberikan.", rx=[], services=["ADM-SURAT"],
             optional={"LAB-DL": 0.5, "LAB-UL": 0.4}),
        dict(key="vaksin_flu", w=1, reason="Vaksinasi influenza",
             complaints=["Ingin vaksin influenza tahunan; tidak ada keluhan."],
             diagnosis="Perlu imunisasi (influenza)", icd="Z23",
             treatment="Vaksin influenza 0,5 ml IM di lengan kiri; observasi 30 menit, tidak ada KIPI.",
             rx=[], services=["VAKS-INFL"]),
        dict(key="tth", w=1, reason="Sakit kepala",
             complaints=["Sakit kepala seperti diikat sejak 2 hari, banyak lembur dan kurang tidur."],
             diagnosis="Nyeri kepala tipe tegang", icd="G44.2",
             treatment="Istirahat dan tidur cukup, kurangi layar gawai.", rx=[PCT],
             optional={"LAB-GDS": 0.3}),
    ],
    "gigi": [
        dict(key="karies", w=4, min_age=4, reason="Gigi berlubang",
             complaints=["Gigi geraham kanan bawah berlubang dan ngilu bila minum dingin.",
                         "Dua gigi geraham berlubang, sering terselip makanan."],
             diagnosis="Karies gigi", icd="K02.9",
             treatment="Penambalan komposit pada gigi yang berlubang.", rx=[MEFENAMAT],
             services=["GIGI-TAMBAL"], quantity={"GIGI-TAMBAL": (1, 2)}),
        dict(key="pulpitis", w=2, min_age=6, reason="Sakit gigi berdenyut",
             complaints=["Gigi berdenyut sejak 2 hari, nyeri spontan terutama malam hari."],
             diagnosis="Pulpitis", icd="K04.0",
             treatment="Open bur dan sterilisasi saluran akar; kontrol 1 minggu untuk perawatan lanjutan.",
             rx=[AMOX, MEFENAMAT]),
        dict(key="gingivitis", w=3, min_age=12, reason="Gusi berdarah, karang gigi",
             complaints=["Gusi berdarah saat menyikat gigi, terdapat karang gigi."],
             diagnosis="Gingivitis kronis", icd="K05.1",
             treatment="Scaling rahang atas dan bawah; edukasi cara menyikat gigi yang benar.",
             rx=["Chlorhexidine gluconate 0,2% obat kumur 2x sehari"], services=["GIGI-SCALING"]),
        dict(key="sisa_akar", w=2, min_age=12, reason="Cabut gigi",
             complaints=["Sisa akar gigi geraham kiri atas, kadang terasa sakit dan gusi bengkak."],
             diagnosis="Sisa akar gigi (gangren radiks)", icd="K08.3",
             treatment="Ekstraksi sisa akar dengan anestesi lokal; gigit tampon 30 menit, "
                       "jangan berkumur keras hari ini.",
             rx=[AMOX, MEFENAMAT], services=["GIGI-CABUT"]),
    ],
    "anak": [
        dict(key="ispa_anak", w=4, reason="Batuk pilek dan demam",
             complaints=["Batuk pilek sejak 3 hari, demam naik turun, anak masih mau minum.",
                         "Demam sejak semalam disertai batuk dan hidung tersumbat."],
             diagnosis="Infeksi saluran pernapasan akut (ISPA)", icd="J06.9",
             treatment="Cukupi cairan dan ASI/makan; kontrol bila demam lebih dari 3 hari atau sesak.",
             rx=[PCT_SYRUP, "Ambroxol sirup 15 mg/5 ml 3x½ sdt"], fever=True, optional={"LAB-DL": 0.3}),
        dict(key="diare_anak", w=3, reason="Diare",
             complaints=["BAB cair 6 kali sejak kemarin, muntah 2 kali, masih mau minum."],
             diagnosis="Diare dan gastroenteritis", icd="A09",
             treatment="Oralit setiap habis BAB cair, lanjutkan makan; kenali tanda dehidrasi.",
             rx=["Oralit 100–200 ml setiap selesai BAB cair", "Zinc sirup 20 mg/5 ml 1x1 sdt selama 10 hari"],
             fever=0.3),
        dict(key="imunisasi", w=3, max_age=5, reason="Imunisasi",
             complaints=["Jadwal imunisasi; anak sehat, tidak ada keluhan."],
             diagnosis="Perlu imunisasi", icd="Z23",
             treatment="Imunisasi sesuai jadwal IDAI; observasi 30 menit, tidak ada KIPI. "
                       "Pertumbuhan sesuai kurva KMS.",
             rx=[PCT_SYRUP], services=["VAKS-ANAK"], quantity={"VAKS-ANAK": (1, 2)}),
        dict(key="asma_anak", w=1, min_age=3, reason="Sesak napas",
             complaints=["Sesak dan batuk berbunyi ngik-ngik sejak subuh, riwayat asma."],
             diagnosis="Asma", icd="J45.9",
             treatment="Nebulisasi salbutamol di klinik, sesak berkurang. Hindari debu dan asap rokok.",
             rx=["Salbutamol sirup 2 mg/5 ml 3x1 sdt"], services=["TIND-NEBU"], asthma=True),
        dict(key="da", w=1, reason="Kulit gatal dan kering",
             complaints=["Kulit kering dan gatal di lipatan siku dan lutut, sering digaruk malam hari."],
             diagnosis="Dermatitis atopik", icd="L20.9",
             treatment="Mandi air hangat dengan sabun lembut, pelembap 2x sehari.",
             rx=["Krim hidrokortison 1% dioles tipis 2x sehari", "Cetirizin sirup 5 mg/5 ml 1x½ sdt malam"]),
        dict(key="oma", w=1, max_age=10, reason="Sakit telinga",
             complaints=["Anak rewel, sering menarik telinga kanan, demam sejak kemarin."],
             diagnosis="Otitis media akut", icd="H66.9",
             treatment="Antibiotik 7 hari; kontrol bila keluar cairan dari telinga.",
             rx=[AMOX_SYRUP, PCT_SYRUP], fever=True),
    ],
    "pd": [
        dict(key="ht_pd", w=3, chronic=True, reason="Kontrol hipertensi",
             complaints=["Kontrol hipertensi; kadang berdebar dan sakit kepala pagi hari.",
                         "Tekanan darah di rumah 160/100, pusing berputar."],
             diagnosis="Hipertensi esensial (primer)", icd="I10",
             treatment="Lanjutkan obat, diet rendah garam, pantau tekanan darah di rumah. Kontrol 1 bulan.",
             rx=["Amlodipin 10 mg 1x1 tab (pagi)", "Candesartan 8 mg 1x1 tab (malam)"], bp="high",
             services=["TIND-EKG"], optional={"LAB-FG": 0.4, "LAB-KOL": 0.4}, labs={"kol": 0.5, "kreat": 0.2}),
        dict(key="dm_pd", w=3, chronic=True, reason="Kontrol diabetes",
             complaints=["Kontrol diabetes; gula darah di rumah masih di atas 200.",
                         "Luka kecil di kaki lama sembuh, sering kesemutan."],
             diagnosis="Diabetes melitus tipe 2 tanpa komplikasi", icd="E11.9",
             treatment="Lanjutkan obat, edukasi perawatan kaki dan diet diabetes. Kontrol 1 bulan.",
             rx=["Metformin 500 mg 3x1 tab sesudah makan", "Glimepirid 2 mg 1x1 tab sebelum makan pagi"],
             services=["LAB-GDP", "LAB-HBA1C"], labs={"gdp": 0.85, "hba1c": 0.85}),
        dict(key="lipid", w=2, chronic=True, reason="Kolesterol tinggi",
             complaints=["Hasil medical check-up kantor kolesterol tinggi; tidak ada keluhan."],
             diagnosis="Hiperlipidemia", icd="E78.5",
             treatment="Diet rendah lemak jenuh, olahraga 150 menit seminggu. Cek ulang lipid 3 bulan.",
             rx=["Atorvastatin 20 mg 1x1 tab (malam)"], services=["LAB-LIPID"],
             labs={"kol": 0.8, "ldl": 0.8, "hdl": 0.5, "tg": 0.6}),
        dict(key="gout", w=2, reason="Nyeri sendi jempol kaki",
             complaints=["Nyeri, merah, dan bengkak pada ibu jari kaki kanan sejak kemarin malam."],
             diagnosis="Gout artritis", icd="M10.9",
             treatment="Kompres dingin, kurangi jeroan dan makanan laut, minum air putih cukup.",
             rx=["Kolkisin 0,5 mg 2x1 tab", "Natrium diklofenak 50 mg 2x1 tab sesudah makan"],
             services=["LAB-AU"], labs={"au": 0.85}),
        dict(key="gerd", w=2, reason="Dada terasa panas",
             complaints=["Rasa panas di dada dan mulut terasa asam, terutama setelah makan malam."],
             diagnosis="Penyakit refluks gastroesofageal (GERD)", icd="K21.9",
             treatment="Jangan langsung berbaring setelah makan, tinggikan kepala saat tidur.",
             rx=["Lansoprazol 30 mg 1x1 kaps sebelum makan pagi", "Domperidon 10 mg 3x1 tab sebelum makan"],
             optional={"TIND-EKG": 0.3}),
        dict(key="isk", w=1.5, reason="Nyeri saat buang air kecil",
             complaints=["Nyeri saat buang air kecil dan anyang-anyangan sejak 3 hari."],
             diagnosis="Infeksi saluran kemih", icd="N39.0",
             treatment="Minum air putih minimal 2 liter sehari; antibiotik dihabiskan.",
             rx=["Siprofloksasin 500 mg 2x1 tab selama 5 hari"], services=["LAB-UL"], fever=0.3,
             labs={"leu_urin": 0.9, "eri_urin": 0.5}),
        dict(key="anemia", w=1, reason="Lemas dan pucat",
             complaints=["Mudah lelah, pusing saat berdiri, wajah tampak pucat sejak 1 bulan."],
             diagnosis="Anemia", icd="D64.9",
             treatment="Makanan kaya zat besi; cek ulang darah lengkap 1 bulan.",
             rx=["Sulfas ferosus 300 mg 1x1 tab", "Asam folat 1 mg 1x1 tab"], services=["LAB-DL"],
             labs={"hb": 0.9, "ht": 0.6}, lab_direction={"hb": "low", "ht": "low"}),
    ],
    "og": [
        dict(key="anc", w=4, chronic=True, min_age=20, max_age=40, reason="Kontrol kehamilan",
             complaints=["Kontrol kehamilan usia {weeks} minggu; gerakan janin aktif, tidak ada keluhan.",
                         "Kontrol kehamilan {weeks} minggu; kadang kram kaki malam hari."],
             diagnosis="Pengawasan kehamilan normal", icd="Z34.9",
             treatment="USG: janin tunggal hidup intrauterin, sesuai usia kehamilan. Edukasi tanda bahaya kehamilan.",
             rx=["Asam folat 400 mcg 1x1 tab", "Tablet tambah darah 60 mg 1x1 tab (malam)",
                 "Kalsium laktat 500 mg 1x1 tab"],
             services=["TIND-USG"], optional={"LAB-DL": 0.3, "LAB-UL": 0.2}, labs={"hb": 0.3},
             lab_direction={"hb": "low"}),
        dict(key="kb", w=2, chronic=True, reason="Suntik KB ulang",
             complaints=["Jadwal suntik KB 3 bulan ulang; tidak ada keluhan."],
             diagnosis="Pengawasan penggunaan kontrasepsi", icd="Z30.4",
             treatment="Suntik DMPA 150 mg IM; jadwal suntik ulang 12 minggu lagi.", rx=[],
             services=["TIND-KB"]),
        dict(key="dismenore", w=1.5, max_age=35, reason="Nyeri haid",
             complaints=["Nyeri perut bawah hebat setiap haid hari pertama dan kedua, sampai tidak masuk kerja."],
             diagnosis="Dismenore", icd="N94.6",
             treatment="Kompres hangat, istirahat; USG tidak tampak kelainan.", rx=[MEFENAMAT],
             optional={"TIND-USG": 0.5}),
        dict(key="heg", w=1, min_age=20, max_age=38, reason="Mual muntah saat hamil",
             complaints=["Hamil 8 minggu, mual muntah lebih dari 5 kali sehari, makan sedikit."],
             diagnosis="Hiperemesis gravidarum ringan", icd="O21.0",
             treatment="Makan porsi kecil tapi sering; segera kembali bila tidak bisa minum sama sekali.",
             rx=["Ondansetron 4 mg 2x1 tab", "Vitamin B6 10 mg 3x1 tab"], services=["TIND-USG"]),
        dict(key="vaginitis", w=1, reason="Keputihan",
             complaints=["Keputihan berbau dan gatal sejak 1 minggu."],
             diagnosis="Vaginitis akut", icd="N76.0",
             treatment="Jaga kebersihan area kewanitaan, hindari sabun pembersih berpewangi.",
             rx=["Metronidazol 500 mg 2x1 tab selama 7 hari"]),
    ],
    "kulit": [
        dict(key="dermatitis", w=2, reason="Gatal dan kemerahan",
             complaints=["Gatal dan kemerahan di punggung tangan sejak 1 minggu, makin parah setelah mencuci."],
             diagnosis="Dermatitis", icd="L30.9",
             treatment="Hindari sabun keras dan deterjen; gunakan sarung tangan saat mencuci.",
             rx=["Krim desoksimetason 0,25% 2x sehari", "Cetirizin 10 mg 1x1 tab (malam)"]),
        dict(key="akne", w=2, max_age=35, reason="Jerawat",
             complaints=["Jerawat meradang di wajah sejak 3 bulan, makin banyak menjelang haid."],
             diagnosis="Akne vulgaris", icd="L70.0",
             treatment="Ekstraksi komedo; cuci muka 2x sehari dengan sabun lembut.",
             rx=["Krim tretinoin 0,025% malam hari", "Klindamisin gel 1% 2x sehari"], services=["KULIT-KOMEDO"]),
        dict(key="tinea", w=2, reason="Ruam gatal melingkar",
             complaints=["Ruam merah melingkar dan gatal di pinggang sejak 2 minggu, tepinya bersisik."],
             diagnosis="Tinea korporis", icd="B35.4",
             treatment="Jaga kulit tetap kering, ganti pakaian yang berkeringat.",
             rx=["Ketokonazol krim 2% 2x sehari selama 2–4 minggu", "Cetirizin 10 mg 1x1 tab bila gatal"]),
        dict(key="veruka", w=1, reason="Kutil di jari",
             complaints=["Kutil di jari telunjuk kanan sejak 4 bulan, makin besar."],
             diagnosis="Veruka vulgaris (kutil)", icd="B07",
             treatment="Kauterisasi kutil dengan anestesi lokal; jaga luka tetap kering.",
             rx=["Krim asam fusidat 2% 2x sehari pada bekas kauter"], services=["KULIT-KAUTER"]),
        dict(key="urtikaria", w=1, reason="Biduran",
             complaints=["Bentol-bentol merah dan gatal di seluruh badan setelah makan udang."],
             diagnosis="Urtikaria", icd="L50.9",
             treatment="Hindari makanan pencetus.", rx=["Cetirizin 10 mg 1x1 tab", "Bedak salisil 2% bila gatal"]),
        dict(key="skabies", w=1, reason="Gatal malam hari",
             complaints=["Gatal terutama malam hari di sela jari dan pergelangan tangan; adik di rumah sama."],
             diagnosis="Skabies", icd="B86",
             treatment="Obati semua anggota keluarga serumah; cuci sprei dan pakaian dengan air panas.",
             rx=["Permetrin krim 5% dioles seluruh tubuh malam hari, bilas pagi; ulang 1 minggu lagi"]),
    ],
}

# Who each doctor sees: age limits (years) and sex.
DOCTOR_PATIENTS = {
    "umum": dict(min_age=13), "gigi": dict(min_age=4), "anak": dict(max_age=17),
    "pd": dict(min_age=25), "og": dict(min_age=18, max_age=45, sex="F"), "kulit": dict(min_age=10),
}

ALLERGIES = [("Tidak ada", 68), ("Amoksisilin", 6), ("Penisilin", 4), ("Udang dan kepiting", 6),
             ("Debu dan bulu kucing", 6), ("Sulfa", 3), ("Ibuprofen", 3), ("", 4)]
BLOOD_TYPES = [("O+", 39), ("B+", 26), ("A+", 23), ("AB+", 6), ("O-", 1), ("A-", 1), ("", 9)]
NOTES = ["Pasien minta dilayani dokter yang sama seperti kunjungan sebelumnya.",
         "Membawa hasil lab dari klinik lain.", "Rujukan dari Puskesmas.", "Kontrol ulang.",
         "Pasien kursi roda, mohon dibantu di lobi.", "Pendamping: keluarga."]
CANCEL_REASONS = ["Dibatalkan pasien lewat telepon.", "Pasien berhalangan, minta dijadwalkan ulang.",
                  "Dibatalkan: pasien sudah berobat di tempat lain.", "Dokter berhalangan; pasien dijadwalkan ulang."]
MOBILE_PREFIXES = ["811", "812", "813", "821", "822", "823", "852", "853", "855", "856", "857", "858",
                   "877", "878", "881", "882", "895", "896", "897"]

# Region codes (Kemendagri: province, city/regency, district) with villages and postcodes,
# so a patient's NIK and address agree.
REGIONS = [
    ("327301", "Sukasari", "Kota Bandung", [("Gegerkalong", "40153"), ("Isola", "40154"), ("Sarijadi", "40151")]),
    ("327302", "Coblong", "Kota Bandung", [("Dago", "40135"), ("Lebakgede", "40132"), ("Sekeloa", "40134")]),
    ("327305", "Andir", "Kota Bandung", [("Ciroyom", "40182"), ("Garuda", "40184")]),
    ("327306", "Cicendo", "Kota Bandung", [("Pasirkaliki", "40171"), ("Arjuna", "40172")]),
    ("327307", "Sukajadi", "Kota Bandung", [("Pasteur", "40161"), ("Cipedes", "40162")]),
    ("327313", "Lengkong", "Kota Bandung", [("Burangrang", "40262"), ("Turangga", "40264")]),
    ("327316", "Kiaracondong", "Kota Bandung", [("Babakansari", "40283"), ("Kebonjayanti", "40281")]),
    ("327320", "Antapani", "Kota Bandung", [("Antapani Kidul", "40291"), ("Antapani Tengah", "40291")]),
    ("327322", "Buahbatu", "Kota Bandung", [("Margasari", "40286"), ("Cijawura", "40287")]),
    ("327324", "Arcamanik", "Kota Bandung", [("Sukamiskin", "40293"), ("Cisaranten Kulon", "40293")]),
    ("327701", "Cimahi Selatan", "Kota Cimahi", [("Leuwigajah", "40532"), ("Melong", "40534")]),
    ("320413", "Dayeuhkolot", "Kabupaten Bandung", [("Citeureup", "40257"), ("Pasawahan", "40256")]),
    ("320415", "Bojongsoang", "Kabupaten Bandung", [("Lengkong", "40287"), ("Buahbatu", "40287")]),
]
PRIVATE_INSURERS = ["Prudential Indonesia", "Allianz Life Indonesia", "AXA Mandiri", "Manulife Indonesia"]
BANKS = ["BCA", "Mandiri", "BNI", "BRI"]
# Typical heights (cm) of Indonesian children by age, for plausible vitals.
CHILD_HEIGHT = [68, 76, 87, 95, 102, 109, 115, 121, 127, 132, 138, 143, 149, 155, 159, 162, 164, 165]


def money(value) -> str:
    return f"{Decimal(value):.2f}"


def decimal_str(value, places: int) -> str:
    return f"{Decimal(str(value)):.{places}f}"


def stamp(moment: dt.datetime) -> str:
    """ISO 8601 in clinic time with its offset, whole seconds: 2026-11-25T08:15:00+07:00."""
    return moment.astimezone(JAKARTA).replace(microsecond=0).isoformat()


def hhmm(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class SampleData:
    def __init__(self, today: dt.date, faker_class):
        self.today = today
        self.now = dt.datetime.combine(today, NOW_TIME, tzinfo=JAKARTA)
        self.rng = Random(SEED)
        self.fake = faker_class("id_ID")
        self.fake.seed_instance(SEED)
        self.rows = {name: [] for name in FILES}

    # --- small helpers ---

    def at(self, day: dt.date, time: dt.time | str) -> dt.datetime:
        return dt.datetime.combine(day, hhmm(time) if isinstance(time, str) else time, tzinfo=JAKARTA)

    def weighted(self, pairs):
        return self.rng.choices([v for v, _w in pairs], weights=[w for _v, w in pairs])[0]

    def mobile(self) -> str:
        while True:
            number = "+62" + self.rng.choice(MOBILE_PREFIXES) + "".join(
                str(self.rng.randrange(10)) for _ in range(self.rng.choice((7, 8, 8, 9)))
            )
            if number not in self.phones:
                self.phones.add(number)
                return number

    def add(self, file: str, model: str, pk: int, fields: dict):
        self.rows[file].append({"model": model, "pk": pk, "fields": dict(sorted(fields.items()))})

    # --- the data set ---

    def build(self):
        self.phones = set()
        self.build_users()
        self.build_doctors()
        self.build_services()
        self.build_patients()
        self.build_insurance()
        self.build_appointments()
        self.build_records()
        self.build_bills()
        self.write_rows()
        self.sanity_checks()
        return self.rows

    def build_users(self):
        hasher = Argon2PasswordHasher()  # an instance: works whatever PASSWORD_HASHERS says
        self.users = {}
        joined = self.at(dt.date(2026, 1, 5), "08:00")
        for pk, (username, role, first, last, superuser) in enumerate(STAFF, start=1):
            self.users[username] = pk
            salt = f"klinikdemo{username}"  # fixed: the same hash on every run
            self.add("users", "accounts.user", pk, {
                "password": make_password(DEMO_PASSWORD, salt=salt, hasher=hasher),
                "last_login": None, "is_superuser": superuser, "username": username,
                "first_name": first, "last_name": last, "email": f"{username}@kliniksehatsentosa.example",
                "is_staff": role == "admin" or superuser, "is_active": True,
                "date_joined": stamp(joined + dt.timedelta(days=pk - 1, minutes=15 * pk)), "role": role,
            })

    def build_doctors(self):
        self.doctors = []
        wh_pk = 0
        for pk, spec in enumerate(DOCTORS, start=1):
            first_name = spec["full_name"].split(",")[0].split(" ", 1)[1]
            email = re.sub(r"[^a-z.]", "", first_name.lower().replace(" ", ".")) + "@kliniksehatsentosa.example"
            doctor = dict(spec, pk=pk, user=self.users.get(spec["username"]), blocks=defaultdict(list))
            self.add("patients", "patients.doctor", pk, {
                "full_name": spec["full_name"], "specialization": spec["specialization"],
                "license_number": spec["license"], "phone": self.mobile(), "email": email, "is_active": True,
                "user": doctor["user"],
                "created_at": stamp(self.at(dt.date(2026, 1, 5), "09:00") + dt.timedelta(days=pk, minutes=7 * pk)),
            })
            for weekdays, start, end in spec["hours"]:
                for weekday in weekdays:
                    doctor["blocks"][weekday].append((hhmm(start), hhmm(end)))
            for weekday in sorted(doctor["blocks"]):
                doctor["blocks"][weekday].sort()
                for start, end in doctor["blocks"][weekday]:
                    wh_pk += 1
                    self.add("patients", "patients.workinghours", wh_pk, {
                        "doctor": pk, "weekday": weekday,
                        "start_time": start.isoformat(), "end_time": end.isoformat(),
                    })
            self.doctors.append(doctor)

    def build_services(self):
        self.services = {}
        for pk, (code, name, price, minutes, active) in enumerate(SERVICES, start=1):
            self.services[code] = dict(pk=pk, price=Decimal(price), minutes=minutes)
            self.add("scheduling", "scheduling.service", pk, {
                "code": code, "name": name, "price": money(price), "duration_minutes": minutes, "is_active": active,
            })

    def build_patients(self):
        rng, fake = self.rng, self.fake
        groups = ["infant"] * 6 + ["child"] * 11 + ["woman"] * 21 + ["adult"] * (N_PATIENTS - 38)
        rng.shuffle(groups)
        no_nik = set(rng.sample(range(N_PATIENTS), 4))
        self.patients, names, niks = [], set(), set()
        for index, group in enumerate(groups):
            pk = index + 1
            if group == "infant":
                age, sex = rng.randint(0, 5), rng.choice("MF")
            elif group == "child":
                age, sex = rng.randint(6, 17), rng.choice("MF")
            elif group == "woman":
                age, sex = rng.randint(19, 40), "F"
            else:
                age, sex = int(rng.triangular(18, 84, 45)), rng.choice("MF")
            # Babies are old enough to have been registered before the sample period.
            born = self.today - dt.timedelta(days=365 * age + rng.randint(150 if age == 0 else 20, 350))
            while True:
                first = fake.first_name_male() if sex == "M" else fake.first_name_female()
                last = fake.last_name_male() if sex == "M" else fake.last_name_female()
                full_name = f"{first} {last}"
                if full_name not in names and first != last:
                    names.add(full_name)
                    break
            code, district, city, villages = rng.choice(REGIONS)
            village, postcode = rng.choice(villages)
            nik = None
            if index not in no_nik:
                day = born.day + (40 if sex == "F" else 0)
                while nik is None or nik in niks:
                    nik = f"{code}{day:02d}{born:%m%y}{rng.randint(1, 2999):04d}"
                niks.add(nik)
            street = fake.street_name()
            address = (f"{street} No. {rng.randint(1, 180)}, RT {rng.randint(1, 12):03d}/RW {rng.randint(1, 15):03d}, "
                       f"Kel. {village}, Kec. {district}, {city} {postcode}")
            years = age_on(born, self.today)
            if years < 18:
                parent_sex = rng.choice(("F", "F", "M"))
                parent_first = fake.first_name_female() if parent_sex == "F" else fake.first_name_male()
                parent_last = fake.last_name_female() if parent_sex == "F" else fake.last_name_male()
                relation = "ibu" if parent_sex == "F" else "ayah"
                contact = f"{parent_first} {parent_last} ({relation})"
                contact_phone = self.mobile()
                phone, email = (contact_phone if years < 13 else self.mobile()), ""
            else:
                if years >= 24 and rng.random() < 0.6:
                    relation = "istri" if sex == "M" else "suami"
                    partner_sex = "F" if sex == "M" else "M"
                elif years >= 55 and rng.random() < 0.7:
                    relation, partner_sex = "anak", rng.choice("MF")
                else:
                    relation, partner_sex = rng.choice(("kakak", "adik", "orang tua")), rng.choice("MF")
                partner_first = fake.first_name_female() if partner_sex == "F" else fake.first_name_male()
                partner_last = fake.last_name_female() if partner_sex == "F" else fake.last_name_male()
                contact = f"{partner_first} {partner_last} ({relation})"
                contact_phone = self.mobile()
                phone = self.mobile()
                email = ""
                if rng.random() < 0.7:
                    handle = re.sub(r"[^a-z.]", "", f"{first}.{last}".lower())
                    email = f"{handle}{rng.randint(1, 99)}@{rng.choice(('example.com', 'example.net', 'example.org'))}"
            registered_from = max(dt.date(2021, 3, 1), born + dt.timedelta(days=10))
            registered_until = self.today - dt.timedelta(days=PAST_DAYS + 20)
            registered = registered_from + dt.timedelta(days=rng.randint(0, (registered_until - registered_from).days))
            created = self.at(registered, dt.time(rng.randint(7, 19), rng.randint(0, 59)))
            updated = min(created + dt.timedelta(days=rng.choice((0, 0, 0, 30, 120, 400))),
                          self.at(registered_until, "19:00"))
            self.patients.append(dict(
                pk=pk, sex=sex, born=born, allergy=self.weighted(ALLERGIES),
                popularity=rng.choice((1, 1, 1, 2, 2, 3, 5)),  # regulars come back more often
                height=None, bmi=rng.uniform(18.5, 30.5), active=True, fields={
                    "medical_record_number": f"RM-{pk:07d}", "nik": nik, "full_name": full_name,
                    "date_of_birth": born.isoformat(), "gender": sex, "phone": phone, "email": email,
                    "address": address, "blood_type": self.weighted(BLOOD_TYPES),
                    "emergency_contact_name": contact, "emergency_contact_phone": contact_phone,
                    "is_active": True, "created_at": stamp(created), "updated_at": stamp(updated),
                },
            ))
            if years >= 18:
                self.patients[-1]["height"] = rng.uniform(158, 178) if sex == "M" else rng.uniform(147, 163)

    def build_insurance(self):
        rng = self.rng
        self.policies = defaultdict(list)
        rows, numbers = [], set()
        bpjs = rng.sample(range(N_PATIENTS), round(N_PATIENTS * 0.4))
        private = rng.sample(range(N_PATIENTS), round(N_PATIENTS * 0.15))
        lapsed_bpjs, expired_private = bpjs[0], private[0]
        for index in range(N_PATIENTS):
            patient = self.patients[index]
            if index in bpjs:
                while True:
                    number = f"0001{rng.randint(0, 999_999_999):09d}"
                    if ("BPJS Kesehatan", number) not in numbers:
                        break
                start = max(patient["born"] + dt.timedelta(days=30),
                            dt.date(rng.randint(2014, 2025), rng.randint(1, 12), 1))
                lapsed = index == lapsed_bpjs
                rows.append(dict(patient=patient["pk"], kind="bpjs", provider_name="BPJS Kesehatan",
                                 policy_number=number, valid_from=start,
                                 valid_until=dt.date(2026, 8, 31) if lapsed else None, is_active=not lapsed))
                numbers.add(("BPJS Kesehatan", number))
            if index in private:
                provider = rng.choice(PRIVATE_INSURERS)
                while True:
                    number = {
                        "Prudential Indonesia": lambda: f"{rng.randint(10_000_000, 99_999_999)}",
                        "Allianz Life Indonesia": lambda: f"ALZ{rng.randint(0, 9_999_999_999):010d}",
                        "AXA Mandiri": lambda: f"AXM-{rng.randint(0, 999_999_999):09d}",
                        "Manulife Indonesia": lambda: f"{rng.randint(1_000_000_000, 9_999_999_999)}",
                    }[provider]()
                    if (provider, number) not in numbers:
                        break
                if index == expired_private:
                    # Ran out in the middle of the sample period: later visits are self-pay.
                    start = dt.date(2025, 11, 1)
                else:
                    # A yearly policy that started 2 to 11 months ago.
                    start = (self.today - dt.timedelta(days=rng.randint(70, 330))).replace(day=1)
                until = dt.date(start.year + 1, start.month, 1) - dt.timedelta(days=1)
                rows.append(dict(patient=patient["pk"], kind="private", provider_name=provider,
                                 policy_number=number, valid_from=start, valid_until=until, is_active=True))
                numbers.add((provider, number))
        for pk, row in enumerate(rows, start=1):
            row["pk"] = pk
            self.policies[row["patient"]].append(row)
            self.add("billing", "billing.insurance", pk, {
                "patient": row["patient"], "kind": row["kind"], "provider_name": row["provider_name"],
                "policy_number": row["policy_number"], "valid_from": row["valid_from"].isoformat(),
                "valid_until": row["valid_until"].isoformat() if row["valid_until"] else None,
                "is_active": row["is_active"],
            })

    # --- appointments ---

    def blocks(self, doctor, day):
        return [(self.at(day, start), self.at(day, end)) for start, end in doctor["blocks"].get(day.weekday(), [])]

    def free(self, busy, start, end):
        return all(end <= s or start >= e for s, e in busy)

    def eligible_patients(self, doctor, day):
        rules = DOCTOR_PATIENTS[doctor["kind"]]
        result = []
        for patient in self.patients:
            years = age_on(patient["born"], day)
            if years < rules.get("min_age", 0) or years > rules.get("max_age", 200):
                continue
            if rules.get("sex") and patient["sex"] != rules["sex"]:
                continue
            if not patient["active"] or day in patient["days"]:  # one visit a day keeps arrivals simple
                continue
            result.append(patient)
        return result

    def choose_case(self, doctor, patient, day):
        years = age_on(patient["born"], day)
        cases = [c for c in CASES[doctor["kind"]]
                 if c.get("min_age", 0) <= years <= c.get("max_age", 200)]
        last = patient["last_case"].get(doctor["kind"])
        if last and last.get("chronic") and last in cases and self.rng.random() < 0.7:
            return last
        case = self.rng.choices(cases, weights=[c["w"] for c in cases])[0]
        patient["last_case"][doctor["kind"]] = case
        return case

    def choose_lines(self, doctor, case, years):
        codes = [doctor["consult"], *case.get("services", [])]
        for code, chance in case.get("optional", {}).items():
            if code not in codes and self.rng.random() < chance:
                codes.append(code)
        # Adults often ask for a quick check "while I'm here".
        if (doctor["kind"] in ("umum", "pd") and years >= 30 and not any(c in LAB_PANELS for c in codes)
                and self.rng.random() < 0.3):
            codes.append(self.rng.choice(("LAB-GDS", "LAB-KOL", "LAB-AU")))
        lines = []
        for code in codes:
            low, high = case.get("quantity", {}).get(code, (1, 1))
            lines.append((code, low if low == high or self.rng.random() < 0.6 else high))
        return lines

    def duration(self, lines):
        # The same rule as scheduling.services.appointment_duration: the services' minutes,
        # rounded up to whole 15-minute slots.
        minutes = sum(self.services[code]["minutes"] for code, _q in lines)
        return dt.timedelta(minutes=math.ceil(minutes / SLOT_MINUTES) * SLOT_MINUTES)

    def try_book(self, doctor, day, start=None, patient=None):
        """Books one appointment of `doctor` on `day` (at `start`, or in a free slot); None if no fit."""
        rng = self.rng
        if patient is None:
            candidates = self.eligible_patients(doctor, day)
            if not candidates:
                return None
            patient = rng.choices(candidates, weights=[p["popularity"] for p in candidates])[0]
        case = self.choose_case(doctor, patient, day)
        lines = self.choose_lines(doctor, case, age_on(patient["born"], day))
        length = self.duration(lines)
        busy_doctor = self.busy[doctor["pk"]]
        busy_patient = patient["busy"]
        if start is not None:
            starts = [start]
        else:
            starts = []
            for block_start, block_end in self.blocks(doctor, day):
                moment = block_start
                while moment + length <= block_end:
                    starts.append(moment)
                    moment += dt.timedelta(minutes=SLOT_MINUTES)
        starts = [s for s in starts if any(bs <= s and s + length <= be for bs, be in self.blocks(doctor, day))
                  and self.free(busy_doctor, s, s + length) and self.free(busy_patient, s, s + length)]
        if not starts:
            return None
        begin = rng.choice(starts)
        appointment = dict(doctor=doctor, patient=patient, case=case, lines=lines,
                           start=begin, end=begin + length, day=day)
        busy_doctor.append((begin, begin + length))
        busy_patient.append((begin, begin + length))
        patient["days"].append(day)
        self.appointments.append(appointment)
        return appointment

    def build_appointments(self):
        rng = self.rng
        self.appointments = []
        self.busy = defaultdict(list)
        for patient in self.patients:
            patient.update(busy=[], days=[], last_case={})
        weights = [d["weight"] for d in self.doctors]

        def fill(first_day, last_day, target):
            days = [first_day + dt.timedelta(days=n) for n in range((last_day - first_day).days + 1)]
            booked, attempts = 0, 0
            while booked < target and attempts < target * 50:
                attempts += 1
                doctor = rng.choices(self.doctors, weights=weights)[0]
                working = [d for d in days if doctor["blocks"].get(d.weekday())]
                if working and self.try_book(doctor, rng.choice(working)):
                    booked += 1
            if booked < target:
                raise CommandError(f"Could only place {booked} of {target} appointments.")

        today = self.today
        fill(today - dt.timedelta(days=PAST_DAYS), today - dt.timedelta(days=1), PAST_APPOINTMENTS)
        # Today: the general practitioner's morning is fully booked from opening time, so
        # the board shows every stage of the day; the other doctors have a few patients each.
        gp = self.doctors[0]
        for block_start, block_end in self.blocks(gp, today)[:1]:
            moment = block_start
            while moment < self.now + dt.timedelta(hours=2):
                appointment = self.try_book(gp, today, start=moment)
                moment = appointment["end"] + dt.timedelta(minutes=rng.choice((0, 0, 0, 15))) if appointment else (
                    moment + dt.timedelta(minutes=SLOT_MINUTES))
        for doctor, count in zip(self.doctors[1:], (3, 4, 3, 2, 2)):
            for _ in range(count):
                self.try_book(doctor, today)
        self.try_book(gp, today, start=self.at(today, "16:00"))
        self.try_book(gp, today, start=self.at(today, "16:30"))
        fill(today + dt.timedelta(days=1), today + dt.timedelta(days=FUTURE_DAYS), FUTURE_APPOINTMENTS)

        for appointment in self.appointments:
            self.set_status(appointment)
        # A few cancelled slots were given to someone else afterwards: the database's
        # one-active-appointment-per-slot rule must still allow that.
        cancelled = [a for a in self.appointments
                     if a["status"] == "cancelled" and a["updated"] <= a["start"] - dt.timedelta(days=1)]
        rebooked = 0
        for old in cancelled:
            if rebooked == 3:
                break
            doctor = old["doctor"]
            holding = [(a["start"], a["end"]) for a in self.appointments
                       if a["doctor"] is doctor and a["status"] not in ("cancelled", "no_show")]
            if not self.free(holding, old["start"], old["end"]):
                continue
            others = [p for p in self.eligible_patients(doctor, old["day"]) if p is not old["patient"]]
            if not others:
                continue
            all_busy, self.busy[doctor["pk"]] = self.busy[doctor["pk"]], holding
            new = self.try_book(doctor, old["day"], start=old["start"], patient=rng.choice(others))
            self.busy[doctor["pk"]] = all_busy
            if new is None:
                continue
            all_busy.append((new["start"], new["end"]))
            new["rebooks"] = old
            self.set_status(new)
            if new["status"] in ("cancelled", "no_show"):
                self.set_status(new, status="completed" if new["end"] <= self.now else "scheduled")
            rebooked += 1
        if rebooked == 0:
            raise CommandError("No cancelled slot could be rebooked.")

        self.appointments.sort(key=lambda a: (a["start"], a["doctor"]["pk"], a["patient"]["pk"]))
        self.assign_queue_numbers()
        line_pk = 0
        for pk, appointment in enumerate(self.appointments, start=1):
            appointment["pk"] = pk
            status = appointment["status"]
            self.add("scheduling", "scheduling.appointment", pk, {
                "patient": appointment["patient"]["pk"], "doctor": appointment["doctor"]["pk"],
                "appointment_date": stamp(appointment["start"]), "end_time": stamp(appointment["end"]),
                "status": status,
                "slot_active": True if status in ("scheduled", "checked_in", "in_consultation", "completed") else None,
                "queue_number": appointment.get("queue"),
                "arrived_at": stamp(appointment["arrived"]) if appointment.get("arrived") else None,
                "reason": appointment["case"]["reason"], "notes": appointment.get("notes", ""),
                "booked_by": appointment["booked_by"], "created_at": stamp(appointment["created"]),
                "updated_at": stamp(appointment["updated"]),
            })
            for code, quantity in appointment["lines"]:
                line_pk += 1
                self.add("scheduling", "scheduling.appointmentservice", line_pk, {
                    "appointment": pk, "service": self.services[code]["pk"], "quantity": quantity,
                    "unit_price": money(self.services[code]["price"]),
                })

    def set_status(self, appointment, status=None):
        """Status, arrival, booking and update times, as they would be at `self.now`."""
        rng = self.rng
        start, end, now = appointment["start"], appointment["end"], self.now
        if status is None:
            if end <= now - dt.timedelta(hours=1) or (start.date() < now.date()):
                status = self.weighted([("completed", 84), ("cancelled", 8), ("no_show", 8)])
            elif start.date() > now.date():
                status = self.weighted([("scheduled", 92), ("cancelled", 8)])
            elif end <= now:
                status = self.weighted([("completed", 90), ("no_show", 10)])
            elif start <= now:
                status = "in_consultation"
            elif start <= now + dt.timedelta(minutes=75):
                status = self.weighted([("checked_in", 85), ("scheduled", 15)])
            else:
                status = self.weighted([("scheduled", 90), ("cancelled", 10)])
        appointment["status"] = status
        walk_in = status in ("completed", "checked_in", "in_consultation") and rng.random() < 0.3
        appointment["arrived"] = None
        if status in ("completed", "in_consultation"):
            appointment["arrived"] = start - dt.timedelta(minutes=rng.randint(5, 35))
        elif status == "checked_in":
            appointment["arrived"] = min(start, now) - dt.timedelta(minutes=rng.randint(3, 40))
        if walk_in:
            created = appointment["arrived"]
        else:
            booked_day = start.date() - dt.timedelta(days=rng.randint(1, 14))
            created = self.at(booked_day, dt.time(rng.randint(8, 19), rng.randint(0, 59)))
            if created > now:
                created = now - dt.timedelta(days=rng.randint(0, 3), minutes=rng.randint(10, 600))
        if appointment.get("rebooks"):
            # Booked only after the earlier patient cancelled (at least a day before the visit).
            created = max(created, appointment["rebooks"]["updated"] + dt.timedelta(minutes=rng.randint(5, 240)))
            created = min(created, now)
        appointment["created"] = created
        appointment["booked_by"] = self.users["resepsionis"] if rng.random() < 0.9 else self.users["admin"]
        if status == "completed":
            updated = end
        elif status == "in_consultation":
            updated = start + dt.timedelta(minutes=rng.randint(0, 3))
        elif status == "checked_in":
            updated = appointment["arrived"]
        elif status == "no_show":
            updated = min(start + dt.timedelta(minutes=rng.randint(30, 90)), max(now, start))
        elif status == "cancelled":
            latest = min(start, now)
            span = max(int((latest - created).total_seconds() // 60), 1)
            updated = created + dt.timedelta(minutes=rng.randint(1, span))
            appointment["notes"] = rng.choice(CANCEL_REASONS)
        else:
            updated = created
        appointment["updated"] = max(updated, created)
        if status != "cancelled" and rng.random() < 0.12:
            appointment["notes"] = rng.choice(NOTES)
        else:
            appointment.setdefault("notes", "")
        return appointment

    def assign_queue_numbers(self):
        """1, 2, 3... per doctor and day in order of arrival, for everyone who arrived."""
        days = defaultdict(list)
        for appointment in self.appointments:
            if appointment["status"] in ("checked_in", "in_consultation", "completed"):
                days[(appointment["doctor"]["pk"], appointment["day"])].append(appointment)
        for key in sorted(days):
            for number, appointment in enumerate(sorted(days[key], key=lambda a: (a["arrived"], a["start"])), 1):
                appointment["queue"] = number

    # --- medical records ---

    def vitals(self, patient, case, day):
        rng = self.rng
        years = age_on(patient["born"], day)
        fever = case.get("fever", False)
        fever = fever if isinstance(fever, bool) else rng.random() < fever
        if years < 5:
            systolic = diastolic = None
        elif years < 13:
            systolic = rng.randint(90, 112)
            diastolic = rng.randint(60, 72)
        elif case.get("bp") == "high":
            systolic = rng.randint(142, 178)
            diastolic = rng.randint(88, min(108, systolic - 35))
        else:
            systolic = rng.randint(102, 136 if years >= 40 else 128)
            diastolic = rng.randint(62, min(88, systolic - 30))
        temperature = rng.uniform(37.8, 39.5) if fever else rng.uniform(36.2, 37.2)
        heart = (rng.randint(105, 150) if years < 1 else rng.randint(90, 130) if years < 5
                 else rng.randint(78, 112) if years < 13 else rng.randint(64, 96))
        breathing = (rng.randint(30, 42) if years < 1 else rng.randint(24, 32) if years < 5
                     else rng.randint(18, 26) if years < 13 else rng.randint(16, 20))
        if fever:
            heart = min(heart + rng.randint(8, 18), 170)
        spo2 = rng.randint(96, 99)
        if case.get("asthma"):
            breathing += rng.randint(4, 8)
            spo2 = rng.randint(92, 95)
        if patient["height"] is not None:
            height = patient["height"]
            weight = patient["bmi"] * (height / 100) ** 2 + rng.uniform(-0.8, 0.8)
        else:
            months = (day - patient["born"]).days / 30.44
            if years < 1:
                height = 50 + 2.2 * months + rng.uniform(-2, 2)
                weight = 3.3 + 0.55 * months + rng.uniform(-0.4, 0.4)
            else:
                height = CHILD_HEIGHT[years] + rng.uniform(-5, 5)
                weight = (15.5 if years < 10 else 18.5) * (height / 100) ** 2 + rng.uniform(-1.5, 1.5)
        return {
            "systolic_bp": systolic, "diastolic_bp": diastolic, "heart_rate": heart,
            "respiratory_rate": breathing, "temperature_c": decimal_str(round(temperature, 1), 1),
            "oxygen_saturation": spo2, "weight_kg": decimal_str(round(weight, 1), 1),
            "height_cm": decimal_str(round(height, 1), 1),
        }

    def prescription(self, patient, case):
        lines = list(case["rx"])
        if patient["allergy"] in ("Amoksisilin", "Penisilin"):
            # Never prescribe what the patient is allergic to.
            lines = [("Eritromisin sirup 200 mg/5 ml 3x1 sdt (habiskan)" if "sirup" in line
                      else "Eritromisin 500 mg 4x1 tab (habiskan)") if line.startswith("Amoksisilin") else line
                     for line in lines]
        return "\n".join(lines)

    def lab_value(self, key, patient, lean):
        """A value for test `key`; out of range with the case's chance, else rarely."""
        rng = self.rng
        name, unit, low, high, (normal_low, normal_high), places = LAB_TESTS[key]
        if key == "hb" and patient["sex"] == "M":
            low, high, normal_low, normal_high = 13, 17, 13.4, 16.4
        if key == "au" and patient["sex"] == "M":
            low, high, normal_low, normal_high = 3.4, 7, 3.8, 6.8
        chance, direction = lean
        value = rng.uniform(normal_low, normal_high)
        if rng.random() < (chance if chance else 0.06):
            if direction == "low" and low:
                value = low * rng.uniform(0.55, 0.92)
            elif direction == "high" and high is not None:
                value = high * rng.uniform(1.08, 1.7)
            elif direction is None and high is not None and (low in (None, 0) or rng.random() < 0.75):
                value = high * rng.uniform(1.08, 1.6)
            elif low:
                value = low * rng.uniform(0.6, 0.92)
        value = Decimal(str(round(value, places)))
        low = None if low is None else Decimal(str(low))
        high = None if high is None else Decimal(str(high))
        abnormal = (low is not None and value < low) or (high is not None and value > high)
        return name, unit, value, low, high, abnormal

    def build_records(self):
        rng = self.rng
        record_pk = lab_pk = 0
        for appointment in self.appointments:
            if appointment["status"] != "completed":
                continue
            patient, doctor, case = appointment["patient"], appointment["doctor"], appointment["case"]
            record_pk += 1
            appointment["record"] = record_pk
            complaint = rng.choice(case["complaints"]).replace("{weeks}", str(rng.randint(12, 36)))
            note = rng.choice(["", "", "", "Kontrol 1 minggu lagi.", "Kontrol bila keluhan tidak membaik.",
                               "Edukasi diberikan kepada pasien dan keluarga."])
            length = int((appointment["end"] - appointment["start"]).total_seconds() // 60)
            created = appointment["start"] + dt.timedelta(minutes=rng.randint(2, min(10, length - 3)))
            self.add("records", "records.medicalrecord", record_pk, {
                "patient": patient["pk"], "doctor": doctor["pk"], "appointment": appointment["pk"],
                "complaint": complaint, "allergies": patient["allergy"],
                **self.vitals(patient, case, appointment["day"]),
                "diagnosis": case["diagnosis"], "icd10_code": case["icd"], "treatment": case["treatment"],
                "prescription": self.prescription(patient, case), "notes": note,
                "created_at": stamp(created), "updated_at": stamp(appointment["end"]),
            })
            leans = case.get("labs", {})
            directions = case.get("lab_direction", {})
            for code, _quantity in appointment["lines"]:
                tests = LAB_PANELS.get(code, [])
                if not tests:
                    continue
                sampled = appointment["start"] + dt.timedelta(minutes=rng.randint(1, length - 1))
                reported = sampled + dt.timedelta(minutes=rng.randint(25, 150))
                for key in tests:
                    name, unit, value, low, high, abnormal = self.lab_value(
                        key, patient, (leans.get(key, 0), directions.get(key)))
                    places = 3
                    lab_pk += 1
                    self.add("records", "records.labresult", lab_pk, {
                        "medical_record": record_pk, "test_name": name, "value": decimal_str(value, places),
                        "unit": unit, "reference_low": None if low is None else decimal_str(low, places),
                        "reference_high": None if high is None else decimal_str(high, places),
                        "is_abnormal": abnormal, "sampled_at": stamp(sampled),
                        "reported_at": stamp(reported) if reported <= self.now else None,
                        "created_by": doctor["user"],
                    })

    # --- bills and payments ---

    def covering(self, patient, day, kind):
        for policy in self.policies.get(patient["pk"], []):
            if (policy["kind"] == kind and policy["is_active"] and policy["valid_from"] <= day
                    and (policy["valid_until"] is None or day <= policy["valid_until"])):
                return policy
        return None

    def build_bills(self):
        rng, now = self.rng, self.now
        completed = sorted((a for a in self.appointments if a["status"] == "completed"),
                           key=lambda a: (a["end"], a["pk"]))
        past = [a for a in completed if a["day"] < self.today]
        void = set(id(a) for a in rng.sample(past, 2))
        per_month = defaultdict(int)
        payments = []
        for bill_pk, appointment in enumerate(completed, start=1):
            issued = appointment["end"]
            total = sum(self.services[code]["price"] * quantity for code, quantity in appointment["lines"])
            per_month[issued.strftime("%Y%m")] += 1
            number = f"INV-{issued:%Y%m}-{per_month[issued.strftime('%Y%m')]:05d}"
            patient, day = appointment["patient"], appointment["day"]
            planned = []  # (minutes after issue, amount, method, policy)
            if id(appointment) not in void:
                private, bpjs = self.covering(patient, day, "private"), self.covering(patient, day, "bpjs")
                counter = dt.timedelta(minutes=rng.randint(2, 12))
                if private and rng.random() < 0.85:
                    covered = Decimal(rng.choice(("1", "0.9", "0.8")))  # the rest is the patient's part
                    share = min(total, (total * covered / 1000).to_integral_value() * 1000)
                    if total - share > 0:
                        planned.append((counter, total - share, rng.choice(("Cash", "CreditCard")), None))
                    claim = dt.timedelta(days=rng.randint(2, 14), hours=rng.randint(1, 5))
                    planned.append((claim, share, "Insurance", private))
                elif bpjs and rng.random() < 0.8:
                    claim = dt.timedelta(days=rng.randint(1, 7), hours=rng.randint(1, 5))
                    planned.append((claim, total, "Insurance", bpjs))
                else:
                    choice = rng.random()
                    if choice < 0.80:
                        method = self.weighted([("Cash", 50), ("CreditCard", 20), ("Transfer", 30)])
                        when = counter
                        if method == "Transfer" and rng.random() < 0.4:
                            when = dt.timedelta(hours=rng.randint(1, 30))  # transferred from home later
                        planned.append((when, total, method, None))
                    elif choice < 0.88:
                        first = (total / 2 / 1000).to_integral_value() * 1000
                        planned.append((counter, first, "Cash", None))
                        planned.append((dt.timedelta(days=rng.randint(1, 7), hours=rng.randint(0, 6)),
                                        total - first, "Transfer", None))
                    elif choice < 0.94:
                        part = (total * Decimal(rng.choice(("0.3", "0.5", "0.6"))) / 1000).to_integral_value() * 1000
                        planned.append((counter, part, rng.choice(("Cash", "Transfer")), None))
                    # else: not paid yet
            made = [(issued + delay, amount, method, policy) for delay, amount, method, policy in planned
                    if issued + delay <= now and amount > 0]
            made.sort(key=lambda p: p[0])
            paid = sum((p[1] for p in made), Decimal("0"))
            if id(appointment) in void:
                status = "void"
            else:
                status = "paid" if paid >= total else "partially_paid" if paid > 0 else "unpaid"
            insurance = next((p[3]["pk"] for p in made if p[3] is not None), None)
            self.add("billing", "billing.billing", bill_pk, {
                "number": number, "patient": patient["pk"], "appointment": appointment["pk"],
                "total_amount": money(total), "amount_paid": money(paid), "status": status,
                "payment_method": made[-1][2] if made else "", "insurance": insurance,
                "issued_at": stamp(issued), "updated_at": stamp(made[-1][0] if made else issued),
            })
            for paid_at, amount, method, policy in made:
                payments.append((paid_at, bill_pk, amount, method, policy, issued))
        payments.sort(key=lambda p: (p[0], p[1]))
        for pk, (paid_at, bill_pk, amount, method, policy, issued) in enumerate(payments, start=1):
            if method == "CreditCard":
                reference = f"EDC {rng.choice(BANKS)} approval {rng.randint(0, 999_999):06d}"
            elif method == "Transfer":
                reference = f"Transfer {rng.choice(BANKS)} {paid_at:%d%m%y}-{rng.randint(0, 9999):04d}"
            elif method == "Insurance" and policy["kind"] == "bpjs":
                reference = f"SEP 0114R001{issued:%m%y}V{rng.randint(0, 999_999):06d}"  # BPJS eligibility letter
            elif method == "Insurance":
                reference = f"Klaim {policy['provider_name']} {rng.randint(0, 99_999_999):08d}"
            else:
                reference = ""
            self.add("billing", "billing.payment", pk, {
                "billing": bill_pk, "amount": money(amount), "method": method,
                "insurance": policy["pk"] if policy else None, "reference": reference,
                "paid_at": stamp(paid_at), "received_by": self.users["resepsionis"],
            })

    def write_rows(self):
        # One patient has moved away: deactivated, history kept, nothing booked ahead.
        booked_ahead = {a["patient"]["pk"] for a in self.appointments if a["day"] >= self.today}
        seen = [p for p in self.patients if p["pk"] not in booked_ahead and any(
            a["patient"] is p and a["status"] == "completed" for a in self.appointments)]
        moved = seen[len(seen) // 2]
        last_visit = max(a["end"] for a in self.appointments if a["patient"] is moved)
        moved["fields"].update(is_active=False, updated_at=stamp(last_visit + dt.timedelta(days=2)))
        patient_rows = [{"model": "patients.patient", "pk": p["pk"], "fields": dict(sorted(p["fields"].items()))}
                        for p in self.patients]
        self.rows["patients"].extend(patient_rows)

    def sanity_checks(self):
        """Refuse to write a data set that lacks what the demo and the tests rely on."""
        statuses = {row["fields"]["status"] for row in self.rows["scheduling"]
                    if row["model"] == "scheduling.appointment"}
        bill_statuses = {row["fields"]["status"] for row in self.rows["billing"] if row["model"] == "billing.billing"}
        missing = ({"scheduled", "checked_in", "in_consultation", "completed", "cancelled", "no_show"} - statuses) | (
            {"unpaid", "partially_paid", "paid", "void"} - bill_statuses)
        if missing:
            raise CommandError(f"The sample data lacks: {', '.join(sorted(missing))}")


def anchor_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: use YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Writes the demo data set (users, patients, scheduling, records, billing) as JSON fixtures."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=None, help="Directory to write to (default: BASE_DIR/fixtures).")
        parser.add_argument("--today", default=None, type=anchor_date,
                            help="Anchor date YYYY-MM-DD the data is centred on (default: 2026-11-25); "
                                 "a clinic day (Monday to Saturday), so the day's board has patients.")

    def handle(self, *args, out=None, today=None, **options):
        try:
            from faker import Faker
        except ImportError:
            raise CommandError("Faker is needed to generate sample data: pip install -r requirements-dev.txt") from None
        out_dir = Path(out) if out else Path(settings.BASE_DIR) / "fixtures"
        out_dir.mkdir(parents=True, exist_ok=True)
        rows = SampleData(today or DEFAULT_TODAY, Faker).build()
        for name in FILES:
            text = json.dumps(rows[name], indent=1, ensure_ascii=False) + "\n"
            (out_dir / f"{name}.json").write_text(text, encoding="utf-8", newline="\n")
            if options["verbosity"] < 1:
                continue
            counts = defaultdict(int)
            for row in rows[name]:
                counts[row["model"]] += 1
            summary = ", ".join(f"{count} {model}" for model, count in counts.items())
            self.stdout.write(f"{out_dir / f'{name}.json'}: {summary}")
