// The typing test: a passage from the server, a countdown on the server's clock, live speed
// and accuracy, and the input events the server judges the run by. Only committed text
// counts: an IME's composition (pinyin letters, candidates) is recorded once, when it is
// committed (compositionend, as "insertCompositionText"), never keystroke by keystroke.
// Pasting and dropping text are refused and counted.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("typing-data").textContent);
  var t = JSON.parse(document.getElementById("typing-i18n").textContent);
  var startButton = document.getElementById("typing-start");
  var run = document.getElementById("typing-run");
  var box = document.getElementById("typing-input");
  var referenceEl = document.getElementById("typing-reference");
  var notice = document.getElementById("typing-notice");
  var submitButton = document.getElementById("typing-submit");
  var show = {
    timeLeft: document.getElementById("typing-time-left"),
    cpm: document.getElementById("typing-cpm"),
    accuracy: document.getElementById("typing-accuracy"),
    pastes: document.getElementById("typing-pastes")
  };

  var test = null;          // {id, passage, seconds_allowed, started_at, server_now}
  var offset = 0;           // the server's clock minus ours (ms)
  var deadline = 0;         // on the server's clock (ms)
  var reference = "";       // the passage without whitespace, as the scoring compares it
  var spans = [];           // one per passage character that counts, in order
  var committed = "";       // the box's text, composition excluded
  var composing = false;
  var events = [];
  var pastes = 0;
  var submitting = false;
  var timer = null;

  function csrf() {
    var token = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1];
    return decodeURIComponent(token || "");
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body || {})
    });
  }
  function serverNow() { return Date.now() + offset; }
  function compact(text) { return text.replace(/\s+/g, ""); }
  function say(text) { notice.textContent = text || ""; }
  function record(type, text) {
    events.push({ t: Math.round(performance.now()), type: type, data: (text || "").slice(0, 1000) });
  }

  // ------------------------------------------------------------------ the measure
  // The longest common subsequence of the passage and the typed text, as the server's
  // scoring computes it; ``matched`` marks the passage characters it used.
  function lcs(a, b) {
    var n = a.length, m = b.length, i, j;
    var table = [];
    for (i = 0; i <= n; i++) { table.push(new Uint16Array(m + 1)); }
    for (i = n - 1; i >= 0; i--) {
      for (j = m - 1; j >= 0; j--) {
        table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
      }
    }
    var matched = new Array(n).fill(false), last = -1;
    i = 0; j = 0;
    while (i < n && j < m) {
      if (a[i] === b[j]) { matched[i] = true; last = i; i++; j++; }
      else if (table[i + 1][j] >= table[i][j + 1]) { i++; }
      else { j++; }
    }
    return { length: table[0][0], matched: matched, last: last };
  }

  function render() {
    var typed = compact(committed);
    var result = lcs(reference, typed);
    var reach = Math.max(result.last + 1, Math.min(typed.length, reference.length));
    spans.forEach(function (span, index) {
      span.className = result.matched[index] ? "right" : (index < reach ? "wrong" : "");
      if (index === reach) span.className += " current";
    });
    var minutes = Math.max(1, serverNow() - Date.parse(test.started_at)) / 60000;
    show.cpm.textContent = Math.round(result.length / minutes);
    show.accuracy.textContent = typed.length ? Math.round(result.length / typed.length * 100) + "%" : "—";
    show.pastes.textContent = pastes;
    if (typed.length >= reference.length) submit();
  }

  function tick() {
    var left = Math.max(0, Math.ceil((deadline - serverNow()) / 1000));
    show.timeLeft.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    if (left <= 0) { say(t.timeUp); submit(); }
  }

  // ------------------------------------------------------------------ input
  var TYPES = { insertText: "insertText", insertReplacementText: "insertText" };
  box.addEventListener("beforeinput", function (e) {
    if (e.inputType === "insertFromPaste" || e.inputType === "insertFromDrop" ||
        e.inputType === "insertFromYank" || e.inputType === "insertFromPasteAsQuotation") {
      e.preventDefault();  // the paste event normally comes first; this catches the rest
      return;
    }
    if (e.inputType === "insertLineBreak" || e.inputType === "insertParagraph") { e.preventDefault(); return; }
    if (e.isComposing || e.inputType === "insertCompositionText") return;  // at compositionend
    if (e.inputType.indexOf("delete") === 0) { record("deleteContentBackward", ""); return; }
    if (TYPES[e.inputType]) record(TYPES[e.inputType], e.data);
  });
  box.addEventListener("compositionstart", function () { composing = true; });
  box.addEventListener("compositionend", function (e) {
    composing = false;
    if (e.data) record("insertCompositionText", e.data);
    committed = box.value;
    render();
  });
  box.addEventListener("input", function (e) {
    if (composing || e.isComposing) return;
    committed = box.value;
    render();
  });
  function refusePaste(e) {
    e.preventDefault();
    pastes += 1;
    show.pastes.textContent = pastes;
    say(t.pasteRefused);
  }
  box.addEventListener("paste", refusePaste);
  box.addEventListener("drop", refusePaste);

  // ------------------------------------------------------------------ start and finish
  function begin(answer) {
    test = answer;
    offset = Date.parse(answer.server_now) - Date.now();
    deadline = Date.parse(answer.started_at) + answer.seconds_allowed * 1000;
    reference = compact(answer.passage);
    referenceEl.textContent = "";
    spans = [];
    Array.from(answer.passage).forEach(function (ch) {
      var span = document.createElement("span");
      span.textContent = ch;  // text, never HTML
      referenceEl.appendChild(span);
      if (!/\s/.test(ch)) spans.push(span);
    });
    startButton.disabled = true;
    startButton.classList.add("hidden");
    run.classList.remove("hidden");
    box.value = "";
    committed = "";
    events = [];
    pastes = 0;
    box.disabled = false;
    box.focus();
    render();
    tick();
    timer = setInterval(tick, 250);
  }

  startButton.addEventListener("click", function () {
    startButton.disabled = true;
    say(t.starting);
    post(data.start_url).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }).then(function (answer) { say(""); begin(answer); }).catch(function () {
      startButton.disabled = false;
      say(t.startFailed);
    });
  });

  function submit() {
    if (submitting || !test) return;
    submitting = true;
    clearInterval(timer);
    box.disabled = true;
    submitButton.disabled = true;
    say(t.submitting);
    var body = { typed: committed, events: events, pastes: pastes, sent_t: Math.round(performance.now()) };
    var url = data.finish_url.replace("/0/", "/" + test.id + "/");
    var tries = 0;
    function send() {
      post(url, body).then(function (response) {
        return response.json().then(function (answer) { return { ok: response.ok, status: response.status, answer: answer }; });
      }).then(function (reply) {
        if (reply.ok) { window.location.assign(reply.answer.result_url); return; }
        if (reply.status >= 500) throw new Error(String(reply.status));
        say(reply.answer.error || String(reply.status));  // refused: retrying cannot help
      }).catch(function () {
        tries += 1;  // the server stores a run once, so sending it again is safe
        say(t.failed);
        setTimeout(send, Math.min(8000, 500 * Math.pow(2, tries)));
      });
    }
    send();
  }
  submitButton.addEventListener("click", submit);
}());
