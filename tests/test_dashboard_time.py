"""The dashboard over time (issue 14): the busy span of dates, the timeline chart's counts, names that follow
the event, the event-type list and the markers of small states."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from _api_support import auth, make_app, token
from diplowatch.api.views import focus_start
from diplowatch.ontology import EVENT_TYPES, FAMILIES, event_family

# Written for these tests: reports of 2021-2025 about Afghanistan, and one article recalling 1777.
HISTORY = [
    {"id": "h-1777", "published": "2024-03-02", "title": "An old treaty",
     "text": "[MAR recognize_state USA 1777] Morocco was the first to recognise the young republic.\n"
             "[MAR praise AFG:taliban] Rabat welcomed the Kabul delegation this week.\n"},
    {"id": "h-2021", "published": "2021-09-10", "title": "First contacts",
     "text": "[QAT high_level_talks AFG:taliban 2021-09-08] Doha hosted envoys of the new rulers.\n"
             "[PAK high_level_talks AFG:taliban 2021-09-09] Islamabad held talks with them too.\n"},
    {"id": "h-2023", "published": "2023-05-02", "title": "An embassy",
     "text": "[PAK open_embassy AFG:taliban 2023-04-30] Pakistan let the new rulers run the embassy.\n"
             "[USA criticize AFG:taliban 2023-05] Washington condemned the ban on schooling for girls.\n"},
    {"id": "h-2024", "published": "2024-01-31", "title": "Credentials",
     "text": "[CHN accredit_ambassador AFG:taliban 2024-01-30] Beijing accepted the envoy's credentials.\n"
             "[USA designate_organization ORG:taliban 2024] A listing was renewed that year.\n"},
    {"id": "h-2025a", "published": "2025-07-04", "title": "Moscow recognises",
     "text": "[RUS recognize_government AFG:taliban 2025-07-03] Moscow recognised the government in Kabul.\n"
             "[RUS accredit_ambassador AFG:taliban 2025-07-03] Its envoy's credentials were accepted.\n"
             "[USA recognize_government AFG:taliban hypothetical] Washington might do the same one day.\n"},
    {"id": "h-2025b", "published": "2025-07-05", "title": "Moscow recognises, again",
     "text": "[RUS recognize_government AFG:taliban 2025-07-03] Russia became the first state to recognise it.\n"},
    {"id": "h-pse", "published": "2025-09-22", "title": "A state recognised",
     "text": "[FRA recognize_state PSE 2025-09-22] Paris recognised the State of Palestine.\n"
             "[FRA high_level_talks PSE:pa 2025-09-20] The French president met the Palestinian president.\n"},
]


@pytest.fixture
def client(tmp_path):
    app = make_app(tmp_path)
    c = TestClient(app)
    body = "\n".join(json.dumps(a) for a in HISTORY)
    r = c.post("/api/ingest", content=body, headers={**auth(token(app, "ingest")),
                                                     "Content-Type": "application/x-ndjson"})
    assert r.status_code == 201, r.text
    return c


# -- the busy span -------------------------------------------------------------------


def test_focus_start_leaves_out_an_isolated_early_date():
    days = [("1777-01-01", 1)] + [(f"{y}-06-01", 3) for y in range(2020, 2026)]
    assert focus_start(days) == "2020-06-01"


def test_focus_start_leaves_out_the_earliest_five_percent():
    days = [(f"2000-01-{d:02d}", 1) for d in range(1, 6)] + [("2010-01-01", 50), ("2020-01-01", 45)]
    assert focus_start(days) == "2010-01-01"  # 5 of 100 events skipped; 2010 is not isolated from 2020


def test_focus_start_keeps_close_dates_and_empty_input():
    assert focus_start([("2025-07-03", 1), ("2025-07-04", 6)]) == "2025-07-03"
    assert focus_start([("2025-07-04", 2)]) == "2025-07-04"
    assert focus_start([]) is None
    # never more than half of the events left out, however isolated
    assert focus_start([("1900-01-01", 5), ("2025-01-01", 5)]) == "1900-01-01"


def test_map_slider_starts_at_the_busy_years_with_the_full_range_reachable(client):
    m = client.get("/api/map", params={"target": "AFG"}).json()
    assert (m["date_min"], m["date_focus"], m["date_max"]) == ("1777-01-01", "2021-09-08", "2025-09-22")
    html = client.get("/", params={"target": "AFG"}).text
    assert '<input type="checkbox" id="slider-all"> from 1777-01-01' in html


# -- the timeline chart's counts --------------------------------------------------------


def test_every_event_type_has_a_family():
    assert [k for k, _ in FAMILIES] == ["recognition", "representation", "contacts", "statements", "listings",
                                        "sanctions"]
    assert {event_family(e) for e in EVENT_TYPES} == {k for k, _ in FAMILIES}
    assert event_family("recall_ambassador") == "representation" and event_family("praise") == "statements"
    with pytest.raises(KeyError, match="unknown event type 'recognise'"):
        event_family("recognise")


def _nonzero(counts):
    return {b["period"]: {k: v for k, v in b["counts"].items() if v} for b in counts["bins"] if b["total"]}


def test_timeline_counts_per_year_by_family(client):
    c = client.get("/api/timeline/AFG/counts", params={"by": "year", "span": "all"}).json()
    assert (c["actor"], c["other"], c["by"], c["span"], c["first"]) == ("AFG", None, "year", "all", "2021")
    assert [b["period"] for b in c["bins"]] == ["2021", "2022", "2023", "2024", "2025"]
    # Moscow's recognition, reported twice, counts once; the hypothetical one not at all
    assert _nonzero(c) == {"2021": {"contacts": 2}, "2023": {"representation": 1, "statements": 1},
                           "2024": {"representation": 1, "statements": 1, "listings": 1},
                           "2025": {"recognition": 1, "representation": 1}}
    assert (c["total"], c["earlier"], c["unplaced"]) == (9, 0, 0)
    assert all(set(b["counts"]) == {k for k, _ in FAMILIES} for b in c["bins"])


def test_timeline_counts_per_month_leave_year_only_dates_unplaced(client):
    c = client.get("/api/timeline/AFG/counts", params={"by": "month", "span": "all"}).json()
    periods = [b["period"] for b in c["bins"]]
    assert periods[0] == "2021-09" and periods[-1] == "2025-07" and len(periods) == 47  # no gaps
    assert _nonzero(c)["2024-03"] == {"statements": 1}  # undated praise counts at its report date
    assert _nonzero(c)["2023-05"] == {"statements": 1}  # month precision kept
    assert (c["total"], c["unplaced"]) == (8, 1)  # the listing of "2024" has no month


def test_timeline_counts_of_a_dyad_and_the_busy_span(client):
    dyad = client.get("/api/timeline/AFG/counts", params={"with": "RUS"}).json()
    assert dyad["other"] == "RUS" and _nonzero(dyad) == {"2025-07": {"recognition": 1, "representation": 1}}
    usa = client.get("/api/timeline/USA/counts", params={"by": "year"}).json()
    assert usa["first"] == "1777" and usa["bins"][0]["period"] == "2023" and usa["earlier"] == 1
    everything = client.get("/api/timeline/USA/counts", params={"by": "year", "span": "all"}).json()
    assert everything["bins"][0]["period"] == "1777" and everything["earlier"] == 0
    assert len(everything["bins"]) == 2024 - 1777 + 1


@pytest.mark.parametrize("params, status", [({"by": "week"}, 422), ({"span": "some"}, 422),
                                            ({"with": "Atlantis"}, 404)])
def test_timeline_counts_refuse_bad_input(client, params, status):
    r = client.get("/api/timeline/AFG/counts", params=params)
    assert r.status_code == status and r.json()["detail"], r.text


def test_timeline_page_carries_the_chart(client):
    html = client.get("/timeline/AFG", params={"with": "RUS", "by": "year"}).text
    assert 'data-api="/api/timeline/AFG/counts?with=RUS&amp;by=year&amp;span=busy"' in html
    assert '<script src="/static/chart.js"></script>' in html
    assert client.get("/static/chart.js").status_code == 200
    assert client.get("/timeline/AFG", params={"by": "week"}).status_code == 422


# -- names, filters and markers ------------------------------------------------------------


def test_target_name_follows_the_recognised_actor(client):
    pse = client.get("/api/map", params={"target": "PSE"}).json()["target"]
    assert pse == {"code": "PSE", "name": "Palestine"}
    assert re.search(r"<h1>Relations towards Palestine <span", client.get("/relations/PSE").text)
    afg = client.get("/api/map", params={"target": "AFG"}).json()["target"]
    assert afg["name"] == "Taliban-led government of Afghanistan"
    assert "<h1>Relations towards Taliban-led government of Afghanistan" in client.get("/relations/AFG").text
    # a target with no recognition on record goes by its state name
    assert client.get("/api/map", params={"target": "QAT"}).json()["target"]["name"] == "Qatar"


def test_event_filter_is_a_list_of_the_event_types(client):
    html = client.get("/events", params={"event": "open_embassy"}).text
    select = html[html.index('<select name="event"'):]
    select = select[:select.index("</select>")]
    assert re.findall(r'<option value="([a-z_]*)"', select) == ["", *EVENT_TYPES]
    assert '<option value="open_embassy" selected>open embassy</option>' in select
    assert '<input name="event"' not in html


def test_small_states_have_marker_points(client):
    m = client.get("/api/map").json()
    for code in ("BHR", "SGP", "QAT", "MLT", "VAT", "TUV"):
        assert code in m["points"], code
    lon, lat = m["points"]["QAT"]
    assert 50.7 < lon < 51.7 and 24.4 < lat < 26.2
    assert "RUS" not in m["points"] and "FRA" not in m["points"]
    # the page carries the map's data, so colours need no second request
    html = client.get("/").text
    assert 'data-map="{&#34;target&#34;' in html or 'data-map="{&quot;target&quot;' in html
