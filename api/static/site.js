// hmic-kg pages: open a folded section when a link targets something inside it; size the grade bars.
(function () {
  "use strict";
  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    for (var el = target; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
    if (target.tagName === "DETAILS") target.open = true;
    target.scrollIntoView({ block: "start" });
  }
  function sizeBars() {
    document.querySelectorAll("[data-flex]").forEach(function (el) {
      el.style.flex = el.getAttribute("data-flex");
    });
  }
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", function () {
    sizeBars();
    openTarget();
  });
})();
