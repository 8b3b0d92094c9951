// The console's only script (no inline script anywhere: the CSP forbids it).
// Keys in hit lists: j/k move, r relevant, i irrelevant (submits the row's form).
"use strict";
(function () {
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr.hit, article.hit")); }
  var current = -1;
  function select(n) {
    var all = rows();
    if (!all.length) { return; }
    current = Math.max(0, Math.min(all.length - 1, n));
    all.forEach(function (r, i) { r.classList.toggle("current", i === current); });
    all[current].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (ev) {
    var tag = (ev.target && ev.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    if (ev.key === "j") { select(current + 1); }
    else if (ev.key === "k") { select(current - 1); }
    else if (ev.key === "r" || ev.key === "i") {
      var all = rows();
      if (current < 0 && all.length) { select(0); }
      var row = all[current];
      var button = row && row.querySelector('button[data-key="' + ev.key + '"]');
      if (button) { button.click(); }
    }
  });
  var pick = document.getElementById("load-watch");
  var link = document.getElementById("load-link");
  if (pick && link) {
    pick.addEventListener("change", function () {
      link.setAttribute("href", "/tester?watch=" + encodeURIComponent(pick.value));
    });
  }
}());
