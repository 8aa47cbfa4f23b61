// Scenario editor: the shared YAML editor (simulator/yaml_editor.js: line numbers, error
// markers, validation as you type) and what only scenarios have, the dry-run panel.
(function () {
  "use strict";
  var textarea = document.getElementById("yaml");
  // Interface texts, from data attributes (escaped like any attribute, so quotes are safe).
  var t = document.getElementById("i18n-editor").dataset;
  var editor = window.simulator.yamlEditor({
    form: document.getElementById("editor-form"),
    textarea: textarea,
    gutter: document.getElementById("gutter"),
    panel: document.getElementById("validation"),
    texts: t
  });

  // Dry run: the whole reply list is sent each time; the server replays it from the start.
  var dry = document.getElementById("dry-run");
  var replies = [];
  var transcript = document.getElementById("dry-transcript");
  var summary = document.getElementById("dry-summary");

  function render(body) {
    transcript.textContent = "";
    summary.textContent = "";
    if (body.errors) { editor.showErrors(body.errors); return; }
    body.transcript.forEach(function (line) {
      var div = document.createElement("div");
      div.className = "dry-line " + line.role;
      div.dataset.testid = "dry-line";
      div.textContent = line.t.toFixed(1) + "s  " + line.text;
      if (line.role === "buyer" && line.mood) {
        var mood = document.createElement("span");
        mood.className = "mood mood-" + line.mood;
        mood.dataset.testid = "dry-mood";
        var named = t["mood" + line.mood.charAt(0).toUpperCase() + line.mood.slice(1)];
        mood.textContent = "（" + (named || line.mood) + "）";
        div.appendChild(mood);
      }
      if (line.role === "agent" && line.reason) {
        var why = document.createElement("span");
        why.className = "why";
        why.dataset.testid = "dry-why";
        why.textContent = "→ " + (line.reason === "no branch matched" ? t.fallback : line.reason);
        div.appendChild(why);
      }
      (line.hits || []).forEach(function (hit) {
        var span = document.createElement("span");
        span.className = "hit";
        span.dataset.testid = "dry-hit";
        span.textContent = "⚠ " + hit.rule + ": " + hit.suggestion;
        div.appendChild(span);
      });
      transcript.appendChild(div);
    });
    summary.textContent = t.path + ": " + body.path.join(" → ") + " · " + t.outcome + ": " +
      (body.outcome || "—") + " · " + t.score + ": " + (body.total === null ? "—" : body.total);
  }

  function run() {
    editor.post(dry.dataset.url, { yaml: textarea.value, seed: 0, replies: replies }).then(render);
  }

  document.getElementById("dry-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = document.getElementById("dry-text");
    if (!text.value.trim()) return;
    replies.push({ after_s: Number(document.getElementById("dry-after").value) || 5, text: text.value });
    text.value = "";
    run();
  });
  document.getElementById("dry-reset").addEventListener("click", function () { replies = []; run(); });
  run();
})();
