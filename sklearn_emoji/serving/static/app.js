// The demo page of `sklearn-emoji serve`: POST the dialogue to ./recommend as the user types.
"use strict";

(function () {
  const turnsList = document.getElementById("turns");
  const emojisList = document.getElementById("emojis");
  const statusLine = document.getElementById("status");
  const chanceNote = document.getElementById("chance-note");
  const scoreHelp = document.getElementById("score-help");
  const kInput = document.getElementById("k");
  const attentionSection = document.getElementById("attention-section");
  const attentionBox = document.getElementById("attention");
  const attentionFlat = document.getElementById("attention-flat");
  const DEBOUNCE_MS = 200;
  // Close to chance: the best score is under CHANCE_FACTOR times the uniform score 1/n_classes
  // (what a model that knows nothing gives every emoji).
  const CHANCE_FACTOR = 1.5;
  // Attention shading: a token's weight over an even share of its turn (weight * tokens in the turn);
  // 1x or less is unshaded, SHADE_FULL x or more is fully shaded, linear in between.
  const SHADE_FULL = 4;
  // Flat attention: no token of any turn gets FLAT_FACTOR times an even share.
  const FLAT_FACTOR = 1.5;
  // A pictographic emoji is shown as it is, large; any other label (Weibo's [哈哈]) as a text chip.
  const PICTOGRAPH = /\p{Extended_Pictographic}/u;
  const BRACKET_CODE = /^\[([^\[\]]+)\]$/;
  let uniform = null; // 1 / number of classes, from GET /model
  let latest = 0; // id of the newest request; older answers are dropped
  let timer = null;

  function setStatus(text, isError) {
    statusLine.textContent = text;
    statusLine.classList.toggle("error", Boolean(isError));
  }

  function percent(x, digits) {
    return (100 * x).toFixed(digits === undefined ? 1 : digits) + "%";
  }

  // An emoji label as the page shows it: the character itself, or a chip with a code's text.
  function emojiNode(label) {
    const span = document.createElement("span");
    span.dataset.emoji = label;
    if (PICTOGRAPH.test(label)) {
      span.className = "emoji pictograph";
      span.textContent = label;
    } else {
      const code = BRACKET_CODE.exec(label);
      span.className = "emoji code";
      span.textContent = code ? code[1] : label;
      span.title = code ? "Weibo emoticon " + label : label;
    }
    return span;
  }

  function relabel() {
    const items = turnsList.querySelectorAll("li");
    items.forEach((li, i) => {
      const last = i === items.length - 1;
      li.querySelector("textarea").placeholder = last ? "the reply" : "turn " + (i + 1);
      li.querySelector("button").disabled = items.length === 1;
    });
  }

  function addTurn(text) {
    const li = document.createElement("li");
    const area = document.createElement("textarea");
    area.className = "turn";
    area.rows = 2;
    area.value = text || "";
    area.addEventListener("input", schedule);
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "\u00d7";
    remove.title = "remove this turn";
    remove.addEventListener("click", () => {
      li.remove();
      relabel();
      schedule();
    });
    li.append(area, remove);
    turnsList.append(li);
    relabel();
    return area;
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(update, DEBOUNCE_MS);
  }

  function clearResults() {
    emojisList.replaceChildren();
    emojisList.removeAttribute("data-turns");
    chanceNote.hidden = true;
    scoreHelp.hidden = true;
    attentionBox.replaceChildren();
    attentionFlat.hidden = true;
    attentionSection.hidden = true;
  }

  function renderChanceNote(emojis) {
    const top = emojis.length ? emojis[0].score : 0;
    const close = uniform !== null && top < CHANCE_FACTOR * uniform;
    chanceNote.hidden = !close;
    chanceNote.dataset.close = String(close);
    if (close) {
      chanceNote.textContent =
        "Close to chance: the best score, " + percent(top) + ", is under " + CHANCE_FACTOR +
        "\u00d7 the " + percent(uniform) + " (1/" + Math.round(1 / uniform) +
        ") a model that knows nothing gives every emoji. Read this ranking as a guess.";
    }
  }

  function renderEmojis(emojis) {
    emojisList.replaceChildren(
      ...emojis.map((e) => {
        const li = document.createElement("li");
        const score = document.createElement("span");
        score.className = "score";
        score.textContent = percent(e.score);
        const lift = document.createElement("span");
        lift.className = "lift";
        lift.textContent = uniform ? (e.score / uniform).toFixed(1) + "\u00d7 chance" : "";
        // Absolute bars: the track is 100%, the fill the probability, the tick the uniform score.
        const track = document.createElement("div");
        track.className = "track";
        const bar = document.createElement("div");
        bar.className = "bar";
        bar.style.width = percent(Math.min(Math.max(e.score, 0), 1), 2);
        track.append(bar);
        if (uniform) {
          const tick = document.createElement("div");
          tick.className = "chance-tick";
          tick.style.left = percent(uniform, 2);
          tick.title = "chance: " + percent(uniform);
          track.append(tick);
        }
        li.append(emojiNode(e.emoji), score, lift, track);
        return li;
      })
    );
    renderChanceNote(emojis);
    scoreHelp.hidden = !emojis.length;
  }

  function shade(ratio) {
    // 0 at an even share or less, 1 at SHADE_FULL times it or more.
    return Math.min(Math.max((ratio - 1) / (SHADE_FULL - 1), 0), 1);
  }

  function renderAttention(turns) {
    if (!turns) {
      attentionSection.hidden = true;
      attentionBox.replaceChildren();
      return;
    }
    let peak = 0;
    attentionBox.replaceChildren(
      ...turns.map((turn, t) => {
        const div = document.createElement("div");
        div.className = "attention-turn";
        const label = document.createElement("span");
        label.className = "turn-weight";
        const turnRatio = turn.turn_weight * turns.length;
        label.textContent = "turn weight " + turn.turn_weight.toFixed(2) + " (" + turnRatio.toFixed(1) + "\u00d7 even)";
        label.title = "the weight of this turn over an even share of the " + turns.length + " turns read";
        div.append(label);
        const n = turn.tokens.length;
        turn.tokens.forEach((token, i) => {
          const weight = turn.weights[i];
          const ratio = weight * n;
          peak = Math.max(peak, ratio);
          const span = document.createElement("span");
          span.className = "token";
          span.textContent = token;
          span.dataset.weight = weight.toFixed(4);
          span.dataset.ratio = ratio.toFixed(3);
          span.title = "attention " + weight.toFixed(3) + ": " + ratio.toFixed(1) + "\u00d7 an even share of " + n +
            " token" + (n === 1 ? "" : "s");
          span.style.backgroundColor = "rgba(255, 170, 0, " + shade(ratio).toFixed(3) + ")";
          div.append(span);
        });
        div.dataset.turn = String(t);
        return div;
      })
    );
    const flat = peak < FLAT_FACTOR;
    attentionFlat.hidden = !flat;
    attentionFlat.dataset.flat = String(flat);
    if (flat) {
      attentionFlat.textContent =
        "The attention is nearly flat: no token gets " + FLAT_FACTOR +
        "\u00d7 an even share of its turn, so the model singled out no word.";
    }
    attentionSection.hidden = false;
  }

  async function update() {
    const turns = Array.from(turnsList.querySelectorAll("textarea"), (a) => a.value);
    if (!turns.some((t) => t.trim())) {
      latest += 1;
      clearResults();
      setStatus("Type something.");
      return;
    }
    const id = ++latest;
    const k = Math.max(1, Math.min(parseInt(kInput.value, 10) || 3, parseInt(kInput.max, 10) || 3));
    let response, data;
    try {
      response = await fetch("recommend", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ turns: turns, k: k }),
      });
      data = await response.json();
    } catch (err) {
      if (id === latest) setStatus("The server did not answer: " + err, true);
      return;
    }
    if (id !== latest) return;
    if (!response.ok) {
      setStatus(typeof data.detail === "string" ? data.detail : "error " + response.status, true);
      return;
    }
    renderEmojis(data.emojis);
    renderAttention(data.attention);
    emojisList.dataset.turns = JSON.stringify(turns);
    setStatus("");
  }

  // "P@1 31.2%, P@3 52.0%, MRR 45.1% on 1234 held-out dialogues (the paper's 10 emojis, ...)".
  function heldOutLine(heldOut) {
    const scores = heldOut.shipped || heldOut;
    const keys = Object.keys(scores)
      .filter((key) => key.startsWith("P@"))
      .sort((a, b) => parseInt(a.slice(2), 10) - parseInt(b.slice(2), 10));
    if ("MRR" in scores) keys.push("MRR");
    const parts = keys.map((key) => key + " " + Number(scores[key]).toFixed(1) + "%");
    if (!parts.length) return "";
    let line = "Held out: " + parts.join(", ");
    if (heldOut.n) line += " on " + heldOut.n + " dialogues";
    if (heldOut.task) line += " (" + heldOut.task + ")";
    return line;
  }

  async function loadModelInfo() {
    const info = document.getElementById("model-info");
    const scoresLine = document.getElementById("model-scores");
    try {
      const response = await fetch("model");
      const model = await response.json();
      const n = model.classes.length;
      uniform = typeof model.uniform_score === "number" ? model.uniform_score : 1 / n;
      const parts = [];
      if (model.ready_model) parts.push("ready model " + model.model + ": " + model.description);
      parts.push(model.method + ", " + n + " emojis");
      if (model.training_data) parts.push("trained on " + model.training_data);
      parts.push(model.served_by);
      info.textContent = parts.join(" \u00b7 ");
      const heldOut = model.held_out ? heldOutLine(model.held_out) : "";
      if (heldOut) {
        scoresLine.textContent = heldOut + "; chance P@1 " + percent(uniform) + ".";
        scoresLine.hidden = false;
      }
      document.getElementById("classes-summary").textContent = "the " + n + " emojis";
      document.getElementById("classes").replaceChildren(...model.classes.map(emojiNode));
      document.getElementById("classes-box").hidden = false;
      kInput.max = String(n);
      info.dataset.loaded = "true";
      if (emojisList.children.length) schedule(); // redraw the first answer with the chance marks
    } catch (err) {
      info.textContent = "Could not read the model's description: " + err;
      info.classList.add("error");
    }
  }

  document.getElementById("add-turn").addEventListener("click", () => {
    addTurn("").focus();
  });
  kInput.addEventListener("input", schedule);
  addTurn("");
  addTurn("").focus();
  loadModelInfo();
})();
