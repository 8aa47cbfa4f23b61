// Track editor: the shared YAML editor (simulator/yaml_editor.js: line numbers, error
// markers, validation as the trainer types) and what only tracks have, the policy as
// trainees will read it once the text has no errors.
(function () {
  "use strict";
  var form = document.getElementById("track-form");
  var textarea = document.getElementById("track-yaml");
  var preview = document.getElementById("track-preview");
  var t = JSON.parse(document.getElementById("track-editor-texts").textContent);

  function showPolicy(policy) {
    preview.textContent = "";
    if (!policy) {
      var note = document.createElement("p");
      note.className = "muted";
      note.textContent = t.fixToPreview;
      preview.appendChild(note);
      return;
    }
    var list = document.createElement("ol");
    list.className = "policy";
    policy.forEach(function (part) {
      var item = document.createElement("li");
      item.dataset.key = part.key;
      item.appendChild(document.createTextNode(part.text));
      if (part.items && part.items.length) {
        var sub = document.createElement("ul");
        part.items.forEach(function (text) {
          var li = document.createElement("li");
          li.textContent = text;
          sub.appendChild(li);
        });
        item.appendChild(sub);
      }
      list.appendChild(item);
    });
    preview.appendChild(list);
  }

  window.simulator.yamlEditor({
    form: form,
    textarea: textarea,
    gutter: document.getElementById("track-gutter"),
    panel: document.getElementById("track-validation"),
    texts: t,
    problemTestId: "track-error",
    // The slug too: a track's text must keep the slug it was created with.
    request: function () { return { yaml: textarea.value, slug: form.dataset.slug }; },
    checked: function (answer) { showPolicy(answer.error ? null : answer.policy); }
  });
})();
