"""The demo page of ``sklearn-emoji serve`` driven in headless Chromium (Debian's package) by Selenium.

Skipped when chromium or chromedriver is not installed. The screenshot goes to
pytest's temporary folder (outside the repository); its path is printed.
"""

import json
import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

uvicorn = pytest.importorskip("uvicorn")
pytest.importorskip("fastapi")
webdriver = pytest.importorskip("selenium.webdriver")

from _serving_models import build_tiny_ready  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from sklearn_emoji.metrics import top_k_emojis  # noqa: E402
from sklearn_emoji.serving import create_app  # noqa: E402
from sklearn_emoji.serving._cli import load_served_model  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A tiny ready model (as `sklearn-emoji build-models` writes one) and what GET /model says of it."""
    prefix = build_tiny_ready(tmp_path_factory.mktemp("ready"))["64"]
    model, metadata, _ = load_served_model(prefix)
    return model, metadata


@pytest.fixture(scope="module")
def model(served):
    return served[0]


@pytest.fixture(scope="module")
def server_url(served):
    """A real uvicorn server on 127.0.0.1, on a free port, in a background thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(*served), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the uvicorn server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    server.should_exit = True
    thread.join(timeout=30)
    sock.close()


@pytest.fixture(scope="module")
def browser():
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)) and shutil.which(path) is None:
            pytest.skip(f"{path} is not installed (apt-get install chromium chromium-driver)")
    profile = tempfile.mkdtemp(prefix="sklearn-emoji-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=900,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    # An explicit driver: Selenium Manager never looks for (or downloads) one.
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _as_js(turns):
    """``JSON.stringify(turns)``: what the page records as the dialogue its emojis are for."""
    return json.dumps(turns, ensure_ascii=False, separators=(",", ":"))


def test_typing_a_dialogue_shows_its_emojis_and_attended_words(browser, server_url, model, tmp_path_factory):
    browser.get(server_url)
    wait = WebDriverWait(browser, 30)
    info = browser.find_element(By.ID, "model-info")
    wait.until(lambda d: info.get_attribute("data-loaded") == "true")
    n = len(model.classes_)
    assert f"H-LSTM, {n} emojis" in info.text and "ready model" in info.text
    assert browser.find_element(By.ID, "model-scores").text.startswith("Held out: P@1")

    turns = ["今天的天气真好，我们去公园玩吧", "哈哈哈太好笑了"]
    areas = browser.find_elements(By.CSS_SELECTOR, "#turns textarea")
    assert len(areas) == 2
    for area, text in zip(areas, turns):
        area.send_keys(text)

    emojis = browser.find_element(By.ID, "emojis")
    wait.until(lambda d: emojis.get_attribute("data-turns") == _as_js(turns))
    want = top_k_emojis(model, [turns], k=3)[0]
    rows = emojis.find_elements(By.TAG_NAME, "li")
    assert [li.find_element(By.CLASS_NAME, "emoji").get_attribute("data-emoji") for li in rows] == [e for e, _ in want]
    # A Weibo code such as [哈哈] is a chip of its text.
    for li, (label, _) in zip(rows, want):
        if label.startswith("[") and label.endswith("]"):
            assert li.find_element(By.CLASS_NAME, "emoji").text == label[1:-1]
    scores = [li.find_element(By.CLASS_NAME, "score").text for li in rows]
    assert scores == [f"{100 * s:.1f}%" for _, s in want]
    # Absolute bars: the width is the probability, out of the whole track.
    for li, (_, s) in zip(rows, want):
        bar, track = li.find_element(By.CLASS_NAME, "bar"), li.find_element(By.CLASS_NAME, "track")
        assert bar.size["width"] == pytest.approx(s * track.size["width"], abs=2)
    # The chance note shows exactly when the best score is under 1.5 x 1/n.
    note = browser.find_element(By.ID, "chance-note")
    assert note.is_displayed() == (want[0][1] < 1.5 / n)

    # The attended words, one highlighted span per token the model read.
    assert browser.find_element(By.ID, "attention-section").is_displayed()
    tokens = browser.find_elements(By.CSS_SELECTOR, "#attention .token")
    assert tokens
    weights = [float(t.get_attribute("data-weight")) for t in tokens]
    assert all(0.0 <= w <= 1.0 for w in weights)
    assert all("rgba(255, 170, 0" in t.get_attribute("style") for t in tokens)
    assert browser.find_element(By.ID, "attention-legend").is_displayed()
    # Shaded against an even share of the turn: a token at or under it is unshaded.
    for t in tokens:
        if float(t.get_attribute("data-ratio")) <= 1:
            assert t.value_of_css_property("background-color") in ("rgba(255, 170, 0, 0)", "rgba(0, 0, 0, 0)")

    shot = Path(os.environ.get("SERVING_SCREENSHOT") or tmp_path_factory.mktemp("screenshots") / "serving_page.png")
    assert browser.save_screenshot(str(shot))
    print(f"screenshot: {shot}")

    # Clearing the dialogue clears the emojis; a new turn is read too.
    for area in areas:
        area.clear()
        area.send_keys(" ")
    wait.until(lambda d: not emojis.find_elements(By.TAG_NAME, "li"))
    browser.find_element(By.ID, "add-turn").click()
    areas = browser.find_elements(By.CSS_SELECTOR, "#turns textarea")
    assert len(areas) == 3
    areas[-1].send_keys("so sad")
    wait.until(lambda d: emojis.get_attribute("data-turns") == _as_js([" ", " ", "so sad"]))
    shown = [
        li.find_element(By.CLASS_NAME, "emoji").get_attribute("data-emoji")
        for li in emojis.find_elements(By.TAG_NAME, "li")
    ]
    assert shown == [e for e, _ in top_k_emojis(model, [[" ", " ", "so sad"]], k=3)[0]]
