// The console's own script (no inline scripts run under the page's CSP).
// - every htmx request and every fetch by our page scripts carries the CSRF token;
// - forms with data-confirm ask before they are sent;
// - jinlin.data(id) reads a page's data from <script type="application/json" id=…>.
(function () {
  "use strict";
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrf();
  });
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  window.jinlin = {
    csrf: csrf,
    data: function (id) {
      var node = document.getElementById(id);
      return node ? JSON.parse(node.textContent) : null;
    },
    post: function (url, body) {
      return fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf()},
        body: JSON.stringify(body)
      });
    }
  };
})();
