// Scenario editor: the shared YAML editor (simulator/yaml_editor.js: line numbers, error
// markers, validation as you type) and what only scenarios have, the dry-run panel.
(function () {
  "use strict";
  var textarea = document.getElementById("yaml");
  var form = document.getElementById("editor-form");
  // Interface texts, from data attributes (escaped like any attribute, so quotes are safe).
  var t = document.getElementById("i18n-editor").dataset;
  var checkedText = textarea.value;  // the text of the latest validation sent
  var editor = window.simulator.yamlEditor({
    form: form,
    textarea: textarea,
    gutter: document.getElementById("gutter"),
    panel: document.getElementById("validation"),
    texts: t,
    request: function () { checkedText = textarea.value; return { yaml: checkedText }; },
    checked: function (answer) {
      if (answer.valid === true) validText = checkedText;
      followDiagram(answer.valid === true, checkedText);
    }
  });
  // The dry run plays the last text known to be valid: the text as the page brought it
  // (defaultValue, even if typing began before this script ran), then each that validated.
  var validText = textarea.defaultValue;

  // The step diagram follows the text: redrawn from each valid text (laid out by the server,
  // scenarios/diagram.py, as the first render was); while the text has errors the last
  // drawing stays, dimmed, with a note saying so.
  var diagram = document.getElementById("diagram");
  var staleNote = document.getElementById("diagram-stale");
  var SVG = "http://www.w3.org/2000/svg";
  var diagramSequence = 0;

  function svg(name, attributes, parent) {
    var element = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) { element.setAttribute(key, attributes[key]); });
    if (parent) parent.appendChild(element);
    return element;
  }

  // The same elements as templates/scenarios/_diagram.svg; every text from the scenario goes
  // in through textContent or an attribute, never parsed as markup.
  function drawDiagram(d) {
    var root = svg("svg", {
      width: d.width, height: d.height, viewBox: "0 0 " + d.width + " " + d.height,
      role: "img", "aria-label": diagram.getAttribute("aria-label") || "", "class": "diagram"
    });
    var marker = svg("marker", {
      id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7,
      orient: "auto-start-reverse"
    }, svg("defs", {}, root));
    svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#646a73" }, marker);
    var edges = svg("g", { "class": "edges" }, root);
    var nodes = svg("g", { "class": "nodes" }, root);
    var labels = svg("g", { "class": "labels" }, root);
    d.edges.forEach(function (edge) {
      svg("polyline", {
        "class": "edge", "data-source": edge.source, "data-target": edge.target,
        points: edge.points.map(function (p) { return p[0] + "," + p[1]; }).join(" "),
        fill: "none", stroke: "#9aa0a6", "marker-end": "url(#arrow)"
      }, edges);
      var group = svg("g", {
        "class": "edge-label", "data-testid": "edge-label",
        "data-source": edge.source, "data-target": edge.target
      }, labels);
      svg("title", {}, group).textContent = edge.label;
      svg("rect", {
        x: edge.label_x, y: edge.label_y, width: edge.label_width, height: edge.label_height, rx: 3
      }, group);
      var text = svg("text", { "font-size": 10 }, group);
      edge.lines.forEach(function (line) {
        svg("tspan", { x: line.x, y: line.y }, text).textContent = line.text;
      });
    });
    d.nodes.forEach(function (n) {
      var group = svg("g", { "class": "node " + n.kind, "data-step": n.id }, nodes);
      svg("title", {}, group).textContent = n.title;
      svg("rect", { x: n.x, y: n.y, width: 180, height: 56, rx: 8 }, group);
      svg("text", { x: n.x + 10, y: n.y + 22, "font-size": 13, "font-weight": 600 }, group)
        .textContent = n.label;
      svg("text", { x: n.x + 10, y: n.y + 42, "font-size": 11, fill: "#646a73" }, group)
        .textContent = n.detail;
    });
    diagram.textContent = "";
    diagram.appendChild(root);
  }

  function markStale(stale) {
    // Before any drawing there is nothing to dim: the page's own "fix the errors" note stays.
    stale = stale && Boolean(diagram.querySelector("svg"));
    diagram.classList.toggle("stale", stale);
    staleNote.hidden = !stale;
  }

  // Called with the answer for the latest text only; an older diagram answer arriving
  // after a newer check is dropped.
  function followDiagram(valid, text) {
    var mine = ++diagramSequence;
    if (!valid) { markStale(true); return; }
    editor.post(form.dataset.diagramUrl, { yaml: text }).then(function (answer) {
      if (mine !== diagramSequence) return;
      if (!answer.nodes) { markStale(true); return; }
      drawDiagram(answer);
      markStale(false);
    }).catch(function () { /* offline: the validation panel says so; the drawing stays */ });
  }

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
    editor.post(dry.dataset.url, { yaml: validText, seed: 0, replies: replies }).then(render);
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
