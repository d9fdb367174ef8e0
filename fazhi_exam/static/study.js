// 法治学考 study page: while the page is visible and the learner has been active in the last two
// minutes, send a heartbeat every 30 s; the server credits the time (a hidden or idle tab earns nothing).
(function () {
  "use strict";
  var root = document.getElementById("material");
  if (!root) { return; }
  var url = root.dataset.heartbeat;
  var csrf = root.dataset.csrf;
  var bar = document.getElementById("study-progress");
  var label = document.getElementById("study-label");
  bar.style.width = (bar.dataset.width || "0") + "%";  // set here: the CSP allows no inline styles
  var lastActive = Date.now();
  ["scroll", "mousemove", "keydown", "touchstart", "click"].forEach(function (name) {
    window.addEventListener(name, function () { lastActive = Date.now(); }, { passive: true });
  });

  function beat() {
    if (document.visibilityState !== "visible" || Date.now() - lastActive > 120000) { return; }
    fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var percent = Math.min(100, Math.floor(100 * data.seconds / data.required_seconds));
        bar.style.width = percent + "%";
        bar.setAttribute("aria-valuenow", String(percent));
        label.textContent = data.completed ? "已完成本资料的学习" :
          "已学习 " + Math.floor(data.seconds / 60) + " 分钟 / 需 " + Math.round(data.required_seconds / 60) + " 分钟";
      })
      .catch(function () { /* next beat will try again */ });
  }
  beat();
  setInterval(beat, 30000);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") { beat(); } });
})();
