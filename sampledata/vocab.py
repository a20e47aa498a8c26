"""The words of the sample clinic: staff, doctors and their hours, the price list, lab tests,
clinical cases, Indonesian regions, insurers and banks.

Plain data, shared by the JSON fixtures (sampledata.fixtures) and the bulk seed (sampledata.seed);
the rules that combine them into a consistent clinic day are in sampledata.rules.
"""

# Patients by age group, with their weights: babies and toddlers (0-5), children (6-17), young
# women (19-40, the obstetrician's), other adults.
AGE_GROUPS = (("infant", 6), ("child", 11), ("woman", 21), ("adult", 42))

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

# More of a clinic's price list than the sample data's 26 lines: the benchmark's bill has 50.
# (code, name, price in rupiah, minutes)
EXTRA_SERVICES = [
    ("LAB-SGOT", "Pemeriksaan SGOT", 45000, 5), ("LAB-SGPT", "Pemeriksaan SGPT", 45000, 5),
    ("LAB-HBSAG", "HBsAg Rapid", 85000, 10), ("LAB-WIDAL", "Tes Widal", 70000, 10),
    ("LAB-GOLDAR", "Golongan Darah dan Rhesus", 35000, 5), ("LAB-LED", "Laju Endap Darah", 30000, 5),
    ("LAB-CRP", "C-Reactive Protein (CRP)", 120000, 5), ("LAB-TSH", "Pemeriksaan TSH", 210000, 5),
    ("LAB-FESES", "Pemeriksaan Feses Lengkap", 60000, 10), ("LAB-HCG", "Tes Kehamilan (HCG Urin)", 40000, 5),
    ("LAB-ASTO", "Pemeriksaan ASTO", 90000, 5), ("LAB-NS1", "Dengue NS1 Antigen", 190000, 10),
    ("RAD-THORAX", "Rontgen Thorax", 175000, 15), ("RAD-GIGI", "Rontgen Gigi Periapikal", 90000, 10),
    ("TIND-INFUS", "Pemasangan Infus", 150000, 20), ("TIND-JAHIT", "Jahit Luka (per jahitan)", 25000, 5),
    ("TIND-INJEKSI", "Injeksi Intramuskular", 40000, 5), ("TIND-SPIRO", "Spirometri", 200000, 20),
    ("TIND-IRIGASI", "Irigasi Telinga", 100000, 15), ("TIND-AFFJAHIT", "Lepas Jahitan", 40000, 10),
    ("TIND-SIRKUM", "Sirkumsisi", 1200000, 45), ("TIND-GDSCEK", "Cek Gula Darah Kapiler", 20000, 5),
    ("GIGI-FLUOR", "Aplikasi Fluoride", 150000, 15), ("GIGI-SEALANT", "Fissure Sealant (per gigi)", 175000, 15),
    ("GIGI-PSA", "Perawatan Saluran Akar", 750000, 45), ("MATA-VISUS", "Pemeriksaan Visus", 30000, 5),
    ("KONS-GIZI", "Konsultasi Gizi", 100000, 20), ("KONS-LAKTASI", "Konsultasi Laktasi", 120000, 20),
    ("ADM-RESUME", "Resume Medis", 75000, 10), ("ADM-RUJUKAN", "Surat Rujukan", 25000, 5),
]

# The generated doctors' specialities, in a repeating pattern of 20 (roughly the sample data's
# weights); doctor 0 is a GP, bench_doctor's.
KIND_PATTERN = ("umum", "gigi", "anak", "umum", "pd", "og", "umum", "gigi", "kulit", "umum",
                "anak", "pd", "umum", "gigi", "og", "umum", "anak", "pd", "gigi", "kulit")
TITLES = {"umum": ("dr.", ""), "gigi": ("drg.", ""), "anak": ("dr.", ", Sp.A"), "pd": ("dr.", ", Sp.PD"),
          "og": ("dr.", ", Sp.OG"), "kulit": ("dr.", ", Sp.DV")}
LICENCE_KIND = {"umum": "DU", "gigi": "DG"}

RECORD_NOTES = ("", "", "", "Kontrol 1 minggu lagi.", "Kontrol bila keluhan tidak membaik.",
                "Edukasi diberikan kepada pasien dan keluarga.")
