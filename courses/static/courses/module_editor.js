// Module editor: the shared YAML editor (simulator/yaml_editor.js: line numbers, error
// markers, validation as the author types) and what only modules have, a preview of the
// lessons as trainees will read them and of the quiz with its keys.
(function () {
  "use strict";
  var form = document.getElementById("module-form");
  var textarea = document.getElementById("module-yaml");
  var preview = document.getElementById("module-preview");
  var t = JSON.parse(document.getElementById("module-editor-texts").textContent);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;  // the author's text is set as text
    return node;
  }

  var TAGS = /^(h[234]|p|ul|ol|li|strong|em|code|pre|blockquote|table|thead|tbody|tr|th|td|hr|br|a)$/;
  var ATTRIBUTES = { href: true, title: true, align: true, rel: true };
  function build(node) {
    if (typeof node === "string") return document.createTextNode(node);
    var element = document.createElement(TAGS.test(node[0]) ? node[0] : "span");
    Object.keys(node[1]).forEach(function (name) {
      var value = node[1][name];
      if (!ATTRIBUTES[name] || (name === "href" && !/^(https?:|mailto:)/i.test(value))) return;
      element.setAttribute(name, value);
    });
    node.slice(2).forEach(function (child) { element.appendChild(build(child)); });
    return element;
  }

  function show(data) {
    preview.textContent = "";
    if (!data) {
      preview.appendChild(el("p", "muted", t.fixToPreview));
      return;
    }
    data.lessons.forEach(function (lesson) {
      var box = el("section", "lesson");
      box.dataset.testid = "preview-lesson";
      box.appendChild(el("h3", "", lesson.title));
      box.appendChild(el("p", "muted", t.minutes.replace("{n}", lesson.minutes)));
      var body = el("div", "lesson-body");
      // Rendered and cleaned on the server by the lesson pages' own renderer (nh3), sent as
      // a tree: built here node by node, text always as text.
      lesson.body.forEach(function (node) { body.appendChild(build(node)); });
      box.appendChild(body);
      preview.appendChild(box);
    });
    if (!data.quiz) return;
    var quiz = el("section", "quiz");
    quiz.dataset.testid = "preview-quiz";
    quiz.appendChild(el("h3", "", data.quiz.title));
    quiz.appendChild(el("p", "muted", t.passMark.replace("{n}", data.quiz.pass_mark)));
    var list = el("ol", "questions");
    data.quiz.questions.forEach(function (q) {
      var item = el("li", "", q.prompt);
      item.dataset.testid = "preview-question";
      var answers = el("ul");
      q.choices.forEach(function (c) {
        answers.appendChild(el("li", c.correct ? "correct" : "", c.text + (c.correct ? " ✓ " + t.correct : "")));
      });
      if (q.answer_true !== null && q.answer_true !== undefined) {
        answers.appendChild(el("li", "correct", (q.answer_true ? t["true"] : t["false"]) + " ✓"));
      }
      if (q.accepted.length) answers.appendChild(el("li", "correct", t.accepted + " " + q.accepted.join("、")));
      item.appendChild(answers);
      list.appendChild(item);
    });
    quiz.appendChild(list);
    preview.appendChild(quiz);
  }

  window.simulator.yamlEditor({
    form: form,
    textarea: textarea,
    gutter: document.getElementById("module-gutter"),
    panel: document.getElementById("module-validation"),
    texts: t,
    problemTestId: "module-error",
    checked: function (answer) { show(answer.error ? null : answer.preview); }
  });
  textarea.dispatchEvent(new Event("input"));  // the preview of the text as it opens
})();
