// The quiz clock: counts down to the attempt's deadline (#time-left data-deadline, ISO 8601)
// and reloads once it has passed, when the server has submitted the saved answers.
(function () {
  "use strict";
  var el = document.getElementById("time-left");
  if (!el) return;
  var deadline = new Date(el.dataset.deadline).getTime();
  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    el.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    if (left === 0) { setTimeout(function () { location.reload(); }, 1500); return; }
    setTimeout(tick, 1000);
  }
  tick();
})();
