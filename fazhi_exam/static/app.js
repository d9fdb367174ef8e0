// 法治学考: small page behaviours. No framework; loaded on every page (CSP: 'self' only).
(function () {
  "use strict";

  // 大字模式: switch at once and remember it in a cookie the server reads on the next page.
  var form = document.getElementById("large-text-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var root = document.documentElement;
      var on = !root.classList.contains("large-text");
      root.classList.toggle("large-text", on);
      document.cookie = "large_text=" + (on ? "1" : "0") + "; path=/; max-age=31536000; samesite=lax";
      var button = document.getElementById("large-text-toggle");
      button.textContent = on ? "标准字号" : "大字模式";
      button.setAttribute("aria-pressed", on ? "true" : "false");
      form.querySelector("input[name=on]").value = on ? "0" : "1";
    });
  }

  // Forms with data-submit-once (an import's 确认导入) are sent once: a second click does nothing.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-submit-once") || event.defaultPrevented) {
      return;
    }
    if (form.getAttribute("data-submitted")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitted", "1");
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.setAttribute("aria-disabled", "true");
      button.classList.add("disabled");
      button.textContent = form.getAttribute("data-submit-once") || "正在处理……";
    }
  });

  // Buttons with data-confirm ask before submitting.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
