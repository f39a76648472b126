// Warden console: keyboard shortcuts and blurred text. No inline handlers (the page's
// Content-Security-Policy allows only this file). A key clicks the button that declares it
// with data-shortcut; "r" also unblurs every blurred text on the page.
(function () {
  "use strict";
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var key = event.key.toLowerCase();
    if (key === "r") {
      document.querySelectorAll(".blur").forEach(function (el) { el.classList.add("shown"); });
    }
    var button = document.querySelector('[data-shortcut="' + key + '"]:not([disabled])');
    if (button) { event.preventDefault(); button.click(); }
  });
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest(".blur") : null;
    if (target) { target.classList.add("shown"); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.classList && event.target.classList.contains("blur")) {
      event.target.classList.add("shown");
    }
  });
})();
