"""Run folders, the vendor matrix and the HTML in a real browser, from two real runs of the suite
against reference servers with different faults (one run each, shared by this module)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.contract import requirements
from conformance.reference.faults import FAULTS
from conformance.report import compare
from conformance.report.__main__ import main as report_main
from conformance.verdict import results

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "reports" / "screenshots"
# Two vendors: one breaks a MUST (AUTH-06), the other a SHOULD (SELECT-04).
VENDORS = {"vendor-a": "auth-basic-any-password", "vendor-b": "select-case-sensitive"}


def _target(tmp: Path, name: str) -> list[str]:
    """The bundled server is always named "reference": a fault and a reports dir per vendor."""
    return ["--reference-fault", VENDORS[name], "--reports-dir", str(tmp / name)]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """Both suite runs at once, as the console script a user runs; their run folders by vendor."""
    tmp = tmp_path_factory.mktemp("runs")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    started = {
        name: subprocess.Popen(
            [sys.executable, "-m", "conformance", "-q", "--hypothesis-profile", "quick", *_target(tmp, name)],
            cwd=tmp,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in VENDORS
    }
    folders = {}
    for name, process in started.items():
        output, _ = process.communicate(timeout=300)
        assert process.returncode in (0, 1), output
        folders[name] = (tmp / name / "latest").resolve()
        folders[name + ":output"] = output
        folders[name + ":code"] = process.returncode
    return folders


def test_a_run_writes_its_folder_and_ends_by_naming_the_reports(runs):
    folder = runs["vendor-a"]
    assert folder.name.startswith("reference-") and folder.name.endswith("Z")
    assert {p.name for p in folder.iterdir()} == {"results.json", "report.html", "summary.md"}
    doc = results.load(folder)  # validates against schemas/results.schema.json
    assert doc["run"]["target"]["faults"] == ["auth-basic-any-password"]
    assert doc["verdict"]["status"] == "does not conform" and runs["vendor-a:code"] == 1
    assert runs["vendor-b:code"] == 0  # a SHOULD failure alone does not fail the gate
    last = [line.split(": ", 1) for line in runs["vendor-a:output"].strip().splitlines()[-2:]]
    assert [label for label, _ in last] == ["erpsync-conformance report", "erpsync-conformance summary"]
    assert [Path(path.strip()).resolve() for _, path in last] == [folder / "report.html", folder / "summary.md"]


def test_the_summary_names_the_failing_requirements(runs):
    text = (runs["vendor-a"] / "summary.md").read_text()
    assert text.startswith("## ❌ GetEngineStatus conformance: reference: does not conform")
    assert "| AUTH-06 " in text and "| fail |" in text
    assert "SELECT-04" not in text
    assert "Full report: [report.html](report.html)" in text


def test_the_matrix_differs_exactly_where_the_faults_break(runs, tmp_path):
    out = tmp_path / "matrix"
    assert report_main(["compare", str(runs["vendor-a"]), str(runs["vendor-b"]), "--out", str(out)]) == 0
    broken = {r for fault in FAULTS if fault.name in VENDORS.values() for r in fault.breaks}
    data = compare.matrix([results.load(runs["vendor-a"]), results.load(runs["vendor-b"])])
    assert set(data["differing"]) == broken
    markdown = (out / "compare.md").read_text()
    assert f"{len(broken)} of {len(requirements.CATALOGUE)} requirements differ" in markdown
    for rid in broken:
        assert f"| ◆ {rid} " in markdown
    page = (out / "compare.html").read_text()
    assert page.count('<tr class="differs">') == len(broken)


def test_compare_names_a_bad_input_in_one_line(runs, tmp_path, capsys):
    assert report_main(["compare", str(runs["vendor-a"]), str(tmp_path / "missing")]) == 2
    error = capsys.readouterr().err.strip()
    assert (
        error == f"erpsync-report: {tmp_path / 'missing' / 'results.json'}: no such results file"
        or error == f"erpsync-report: {tmp_path / 'missing'}: no such results file"
    )
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"format": "something else"}))
    assert report_main(["render", str(broken)]) == 2
    assert "not a results file of this suite" in capsys.readouterr().err


def _workflow(name: str) -> dict:
    """The workflow docs/ci.md shows under `# .github/workflows/<name>`, as YAML."""
    import yaml

    text = (Path(__file__).parent.parent / "docs" / "ci.md").read_text("utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    return yaml.safe_load(next(b for b in blocks if b.startswith(f"# .github/workflows/{name}")))


def test_the_vendor_matrix_workflow_runs_here_and_its_artifact_keeps_the_links(tmp_path):
    """docs/ci.md's compare step, run as GitHub runs it (bash -e) over the layout download-artifact
    leaves (runs/reports-<target>/<run folder>, no `latest` link), one vendor without results: the
    matrix is written, every report link leads to a file inside the uploaded artifact, the job
    summary names the vendor that has none."""
    from conformance.report import render

    flow = _workflow("erpsync-vendor-matrix.yml")
    run_job, compare_job = flow["jobs"]["run"], flow["jobs"]["compare"]
    suite = next(s for s in run_job["steps"] if s.get("id") == "suite")
    uploaded = next(s for s in run_job["steps"] if "upload-artifact" in s.get("uses", ""))
    assert (
        f"--reports-dir {uploaded['with']['path'].rstrip('/')} " in suite["run"]
    )  # the folder written is the one uploaded
    download = next(s for s in compare_job["steps"] if "download-artifact" in s.get("uses", ""))
    assert download["with"]["pattern"] == uploaded["with"]["name"].replace("${{ matrix.target }}", "*")
    root = tmp_path / download["with"]["path"]
    small = json.loads((Path(__file__).parent / "data" / "results-small.json").read_text())
    for vendor, started in (("vendor-a", "2026-11-30T10:00:00+00:00"), ("vendor-b", "2026-11-30T11:00:00+00:00")):
        small["run"]["target"]["name"], small["run"]["started"] = vendor, started
        render.render_run(results.write(small, root / f"reports-{vendor}", point_latest=False))
    (root / "reports-vendor-c").mkdir()  # its run stopped on a configuration error: no results
    step = next(s for s in compare_job["steps"] if s.get("name") == "The vendor matrix")
    job_summary = tmp_path / "step-summary.md"
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "GITHUB_STEP_SUMMARY": str(job_summary),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        },
    )
    assert done.returncode == 0, done.stdout + done.stderr
    artifact = (
        tmp_path / next(s for s in compare_job["steps"] if "upload-artifact" in s.get("uses", ""))["with"]["path"]
    )
    pages = list(artifact.rglob("compare.html"))
    assert len(pages) == 1, pages
    links = re.findall(r'href="([^"#]+report\.html)"', pages[0].read_text("utf-8"))
    assert len(links) == 2 and all((pages[0].parent / link).resolve().is_file() for link in links), links
    assert all(artifact.resolve() in (pages[0].parent / link).resolve().parents for link in links)
    said = job_summary.read_text("utf-8")
    assert "- vendor-c: no results (see its job)" in said and "GetEngineStatus vendor compatibility" in said


# --- the HTML in a real browser -------------------------------------------------------------------

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM and DRIVER):
        if os.getenv("CI"):
            pytest.fail("CI: chromium and chromedriver must be installed (.ci/run installs them)")
        pytest.skip("no chromium/chromedriver on this machine (apt install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1366,900",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def _open(browser, page: Path) -> tuple[list, set[str]]:
    """Load a page; return its console messages and every URL it requested."""
    browser.get_log("browser"), browser.get_log("performance")  # drop what came before
    browser.get(page.as_uri())
    console = browser.get_log("browser")
    urls = set()
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.add(message["params"]["request"]["url"])
    return console, urls


def _screenshot(browser, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1366, min(max(height, 600), 8000))
    browser.execute_script("window.scrollTo(0, 0)")
    path = SCREENSHOTS / name
    browser.save_screenshot(str(path))
    browser.set_window_size(1366, 900)
    return path


def test_the_report_loads_offline_with_its_failures_open(browser, runs):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page = runs["vendor-a"] / "report.html"
    console, urls = _open(browser, page)
    assert console == [], console
    assert urls == {page.as_uri()}, urls
    assert browser.find_element(By.CSS_SELECTOR, ".verdict").text == "Does not conform"
    assert browser.find_elements(By.CSS_SELECTOR, ".chart svg rect.bar"), "no response-time bars drawn"
    # A failure is open on arrival, its evidence shown; a pass is one line until clicked.
    failure = browser.find_element(By.CSS_SELECTOR, "tr#AUTH-06 details")
    shown = failure.find_element(By.CSS_SELECTOR, ".part")
    assert shown.is_displayed()
    for part in ("EXPECTED", "ACTUAL", "REQUEST", "RESPONSE", "REPRODUCE", "curl -sS -i -X POST"):
        assert part in shown.text, part
    passed = browser.find_element(By.CSS_SELECTOR, "tr:not(.red) details")
    assert not passed.find_element(By.CSS_SELECTOR, ".part").is_displayed()
    passed.find_element(By.TAG_NAME, "summary").click()
    assert passed.find_element(By.CSS_SELECTOR, ".part").is_displayed()
    passed.find_element(By.TAG_NAME, "summary").click()
    # The verdict's reasons link to their rows; each area lists its failures first.
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".reasons a")]
    assert any(link.endswith("#AUTH-06") for link in links), links
    # The first screen is the verdict and the failures: their heading inside the window.
    assert browser.find_element(By.ID, "failures").location["y"] < browser.get_window_size()["height"] - 200
    # A curl line's Copy button copies exactly that line (or, without clipboard access, selects it),
    # the page's one script running under its Content-Security-Policy.
    browser.execute_cdp_cmd(
        "Browser.grantPermissions", {"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]}
    )
    button = failure.find_element(By.CSS_SELECTOR, ".exchange button.copy")
    curl = failure.find_element(By.CSS_SELECTOR, ".exchange pre.curl").text
    button.click()
    WebDriverWait(browser, 5).until(lambda _: button.text != "Copy")
    if button.text == "Copied":
        copied = browser.execute_async_script(
            "navigator.clipboard.readText().then(arguments[0], () => arguments[0](null))"
        )
    else:
        assert button.text == "Selected: press Ctrl+C", button.text
        copied = browser.execute_script("return window.getSelection().toString()")
    assert copied.strip() == curl.strip() and curl.startswith("curl -sS -i -X POST"), (copied, curl)
    assert browser.get_log("browser") == []  # no policy refused the script
    # What to tell the vendor reads as prose: wrapped between words, not mid-word as code is.
    style = browser.execute_script(
        "const s = getComputedStyle(arguments[0]); return [s.wordBreak, s.fontFamily]",
        failure.find_element(By.CSS_SELECTOR, "pre.tell"),
    )
    assert style[0] != "break-all" and "monospace" not in style[1], style
    # Printed: failures expanded, passes one line each.
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert failure.find_element(By.CSS_SELECTOR, ".part").is_displayed()
        assert not passed.find_element(By.CSS_SELECTOR, ".part").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert _screenshot(browser, "report.png").stat().st_size > 10_000


def test_the_matrix_loads_offline_with_no_errors(browser, runs, tmp_path):
    from selenium.webdriver.common.by import By

    page, _ = compare.write([runs["vendor-a"], runs["vendor-b"]], tmp_path)
    console, urls = _open(browser, page)
    assert console == [] and urls == {page.as_uri()}, (console, urls)
    # Each run's report linked; the reasons of differing cells on the page, not in hover titles.
    links = {a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".runs a")}
    assert links == {(runs[v] / "report.html").resolve().as_uri() for v in ("vendor-a", "vendor-b")}, links
    differing = browser.find_elements(By.CSS_SELECTOR, "tr.differs .why")
    assert differing and all(w.is_displayed() and w.text for w in differing)
    assert browser.find_elements(By.CSS_SELECTOR, ".legend dt")
    assert _screenshot(browser, "matrix.png").stat().st_size > 10_000
    # Printed (even on A4 portrait, about 720 CSS px inside the margins), three runs side by side fit:
    # nothing runs off the right edge.
    shutil.copytree(runs["vendor-a"], tmp_path / "vendor-a-again")  # one folder named twice is one column
    three, _ = compare.write([runs["vendor-a"], runs["vendor-b"], tmp_path / "vendor-a-again"], tmp_path / "three")
    size = browser.get_window_size()
    browser.set_window_size(720, size["height"])
    browser.get(three.as_uri())
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        widths = browser.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], widths
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        browser.set_window_size(size["width"], size["height"])


def test_the_matrix_fits_1280_px_with_the_differing_vendor_in_view(browser, runs, tmp_path):
    """Five runs side by side, the one that differs last, its reason a long unbreakable curl line:
    at 1280 px nothing runs off the right edge and the differing vendor's cells are on screen."""
    paths = []
    for i in range(4):
        doc = json.loads((runs["vendor-a"] / "results.json").read_text("utf-8"))
        doc["run"]["target"]["name"] = f"vendor-a{i}"
        paths.append(tmp_path / f"a{i}.json")
        paths[-1].write_text(json.dumps(doc), "utf-8")
    odd = json.loads((runs["vendor-b"] / "results.json").read_text("utf-8"))
    odd["run"]["target"]["name"] = "vendor-odd-one-out-with-a-rather-long-name"
    row = next(e for e in odd["requirements"] if e["outcome"] in ("fail", "non-strict"))
    row["reason"] = (
        "curl -sS -i -X POST 'https://tenant.example/api/v1/Agents/ErpSync/GetEngineStatus?" + "x" * 3000 + "'"
    )
    paths.append(tmp_path / "odd.json")
    paths[-1].write_text(json.dumps(odd), "utf-8")
    page, _ = compare.write(paths, tmp_path / "out", every=True)
    size = browser.get_window_size()
    browser.set_window_size(1280, 900)
    try:
        browser.get(page.as_uri())
        inner = browser.execute_script("return window.innerWidth")
        widths = browser.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], widths
        rights = browser.execute_script(
            "return Array.from(document.querySelectorAll('tr.differs td:last-child, thead th:last-child'))"
            ".map(c => [c.getBoundingClientRect().left, c.getBoundingClientRect().right])"
        )
        assert rights and all(right <= inner and right - left >= 60 for left, right in rights), (inner, rights)
        # No cell spills into its neighbour (a differing row's "◆ SELECT-03" beside its level, "SHOULD").
        spilled = browser.execute_script(
            "return Array.from(document.querySelectorAll('.matrix td, .matrix th'))"
            ".filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent.slice(0, 40))"
        )
        assert spilled == [], spilled
    finally:
        browser.set_window_size(size["width"], size["height"])
