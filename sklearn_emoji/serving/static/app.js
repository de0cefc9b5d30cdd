// The demo page of `sklearn-emoji serve`: POST the dialogue to ./recommend as the user types.
"use strict";

(function () {
  const turnsList = document.getElementById("turns");
  const emojisList = document.getElementById("emojis");
  const statusLine = document.getElementById("status");
  const kInput = document.getElementById("k");
  const attentionSection = document.getElementById("attention-section");
  const attentionBox = document.getElementById("attention");
  const DEBOUNCE_MS = 200;
  let latest = 0; // id of the newest request; older answers are dropped
  let timer = null;

  function setStatus(text, isError) {
    statusLine.textContent = text;
    statusLine.classList.toggle("error", Boolean(isError));
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
    attentionBox.replaceChildren();
    attentionSection.hidden = true;
  }

  function renderEmojis(emojis) {
    const best = Math.max(...emojis.map((e) => e.score), 1e-12);
    emojisList.replaceChildren(
      ...emojis.map((e) => {
        const li = document.createElement("li");
        const emoji = document.createElement("span");
        emoji.className = "emoji";
        emoji.textContent = e.emoji;
        const score = document.createElement("span");
        score.className = "score";
        score.textContent = (100 * e.score).toFixed(1) + "%";
        const bar = document.createElement("div");
        bar.className = "bar";
        bar.style.width = (100 * e.score / best).toFixed(1) + "%";
        li.append(emoji, score, bar);
        return li;
      })
    );
  }

  function renderAttention(turns) {
    if (!turns) {
      attentionSection.hidden = true;
      attentionBox.replaceChildren();
      return;
    }
    attentionBox.replaceChildren(
      ...turns.map((turn) => {
        const div = document.createElement("div");
        div.className = "attention-turn";
        const label = document.createElement("span");
        label.className = "turn-weight";
        label.textContent = "turn weight " + turn.turn_weight.toFixed(2);
        div.append(label);
        // Opacity: the word's weight relative to the turn's most attended word.
        const top = Math.max(...turn.weights, 1e-12);
        turn.tokens.forEach((token, i) => {
          const span = document.createElement("span");
          span.className = "token";
          span.textContent = token;
          span.dataset.weight = turn.weights[i].toFixed(4);
          span.title = "attention " + turn.weights[i].toFixed(3);
          span.style.backgroundColor = "rgba(255, 170, 0, " + (turn.weights[i] / top).toFixed(3) + ")";
          div.append(span);
        });
        return div;
      })
    );
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

  async function loadModelInfo() {
    const info = document.getElementById("model-info");
    try {
      const response = await fetch("model");
      const model = await response.json();
      const parts = [model.method + ", " + model.classes.length + " emojis: " + model.classes.join(" ")];
      if (model.training_data) parts.push("trained on " + model.training_data);
      parts.push(model.served_by);
      info.textContent = parts.join(" \u00b7 ");
      kInput.max = String(model.classes.length);
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
