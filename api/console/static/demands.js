// 需求: every card's "派给…" list is the same; the page sends it once (#taker-options)
// and this copies it into each card's select (a board of 50 cards would otherwise carry
// 50 copies of every taker in the scope).
(function () {
  "use strict";
  var options = document.getElementById("taker-options");
  if (!options) { return; }
  document.querySelectorAll('form.step select[name="to"]').forEach(function (select) {
    select.appendChild(options.content.cloneNode(true));
  });
})();
