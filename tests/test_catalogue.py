"""The requirement catalogue, the profile settings and the fault catalogue agree with each other."""

from __future__ import annotations

import pytest

from conformance.contract import requirements
from conformance.contract.choices import SETTINGS, SETTINGS_BY_KEY, Profile, ProfileError, flipped_profiles
from conformance.reference.faults import FAULTS

CATALOGUE = requirements.CATALOGUE


def test_ids_are_unique_and_well_formed():
    ids = [r.id for r in CATALOGUE]
    assert len(ids) == len(set(ids))
    for r in CATALOGUE:
        match = requirements.ID_PATTERN.match(r.id)
        assert match, r.id
        assert match["prefix"] in requirements.AREAS, r.id


@pytest.mark.parametrize("req", CATALOGUE, ids=lambda r: r.id)
def test_every_entry_has_level_area_title_and_source(req):
    assert req.level in requirements.LEVELS
    assert req.area in requirements.AREAS.values()
    assert req.title.strip() and req.source.strip()
    assert req.source.count('"') % 2 == 0, "a quotation is left open"
    assert req.authority.strip()
    for key in req.settings:
        assert key in SETTINGS_BY_KEY


def test_the_issue_list_is_all_there():
    """The IDs the catalogue started from are never renumbered or dropped."""
    expected = (
        [f"SCHEMA-0{i}" for i in range(1, 7)]
        + [f"HTTP-0{i}" for i in range(1, 6)]
        + [f"AUTH-{i:02}" for i in range(1, 12)]
        + [f"SELECT-0{i}" for i in range(1, 9)]
        + [f"ACCEPT-0{i}" for i in range(1, 8)]
        + [f"LANG-0{i}" for i in range(1, 9)]
    )
    assert set(expected) <= set(requirements.BY_ID)


def test_get_names_an_unknown_id():
    with pytest.raises(KeyError, match="SELECT-99"):
        requirements.get("SELECT-99")


def test_faults_name_known_requirements():
    for fault in FAULTS:
        assert fault.breaks, fault.name
        for rid in fault.breaks:
            assert rid in requirements.BY_ID, (fault.name, rid)


def test_every_requirement_has_a_fault_that_breaks_it():
    """Each requirement a server can break has a named fault, so its check can be shown to fail."""
    broken = {rid for fault in FAULTS for rid in fault.breaks}
    missing = [r.id for r in CATALOGUE if r.id not in broken]
    assert not missing, f"no fault breaks {missing}"


def test_fault_names_are_unique():
    names = [f.name for f in FAULTS]
    assert len(names) == len(set(names))


def test_profile_defaults_are_the_reference_table():
    assert Profile.reference().as_dict() == {s.key: s.default for s in SETTINGS}


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"select_case": "sometimes"}, "choices.select_case: expected one of insensitive, exact"),
        ({"no_such_key": "x"}, "choices.no_such_key: unknown setting"),
    ],
)
def test_profile_rejects_bad_values_naming_the_key(bad, message):
    with pytest.raises(ProfileError, match=message):
        Profile.from_mapping(bad)


def test_flipped_profiles_cover_every_non_default_choice():
    flipped = flipped_profiles()
    assert len(flipped) == sum(len(s.choices) - 1 for s in SETTINGS)
    for profile in flipped:
        changed = {k for k, v in profile.as_dict().items() if v != SETTINGS_BY_KEY[k].default}
        assert len(changed) == 1


def test_the_requirements_page_is_the_catalogue():
    """docs/requirements.md holds the table `python -m conformance.contract.requirements` prints."""
    from pathlib import Path

    page = (Path(__file__).parent.parent / "docs" / "requirements.md").read_text("utf-8")
    assert requirements.markdown() in page


def test_the_target_schema_offers_every_setting_and_auto():
    import json

    from conformance.contract.endpoint import schemas_dir

    schema = json.loads((schemas_dir() / "target.schema.json").read_text("utf-8"))
    offered = schema["properties"]["choices"]["properties"]
    for setting in SETTINGS:
        assert offered[setting.key]["enum"] == [*setting.choices, "auto"], setting.key
