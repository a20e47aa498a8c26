"""Every diagnosis code of the demo data is a valid ICD-10 (2019) code with an Indonesian name,
so the record and visit pages show it in Indonesian."""

import json
from pathlib import Path

from django.conf import settings

from records.icd10 import icd10_is_valid, indonesian_names
from sampledata.vocab import CASES


def sample_codes() -> set[str]:
    return {case["icd"] for cases in CASES.values() for case in cases}


def test_every_sample_data_code_is_valid_and_has_an_indonesian_name():
    codes = sample_codes()
    assert len(codes) > 20
    assert not sorted(code for code in codes if not icd10_is_valid(code))
    assert not sorted(code for code in codes if code not in indonesian_names())


def test_the_committed_fixtures_use_only_codes_with_an_indonesian_name():
    rows = json.loads((Path(settings.BASE_DIR) / "fixtures" / "records.json").read_text(encoding="utf-8"))
    codes = {row["fields"]["icd10_code"] for row in rows if row["model"] == "records.medicalrecord"}
    assert codes and codes <= sample_codes()
    assert not sorted(code for code in codes if code not in indonesian_names())
