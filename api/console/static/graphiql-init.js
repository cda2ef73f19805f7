// GraphiQL from the vendored bundle (no CDN). Operations go to /graphql as the signed-in
// user (session cookie + X-CSRF-Token), or with "Authorization: Bearer" and no cookie when
// a token is pasted into #graphiql-token.
(function () {
  "use strict";
  var field = document.getElementById("graphiql-token");
  var as = document.getElementById("graphiql-as");
  var root = document.getElementById("graphiql");
  var user = root.getAttribute("data-user");

  function token() {
    return field.value.trim();
  }

  function fetcher(params) {
    var headers = {"Content-Type": "application/json", "Accept": "application/json"};
    var pasted = token();
    if (pasted) {
      headers.Authorization = "Bearer " + pasted;
    } else {
      headers["X-CSRF-Token"] = window.jinlin.csrf();
    }
    return fetch("/graphql", {
      method: "POST",
      credentials: pasted ? "omit" : "same-origin",
      headers: headers,
      body: JSON.stringify(params)
    }).then(function (response) {
      return response.json();
    });
  }

  field.addEventListener("input", function () {
    as.textContent = token() ? "当前：以粘贴的令牌调用" : "当前：以登录身份 " + user + " 调用";
  });
  root.textContent = "";
  window.ReactDOM.createRoot(root).render(window.React.createElement(window.GraphiQL, {
    fetcher: fetcher,
    defaultQuery: "# 示例：本范围内的小区数\n{\n  compounds(first: 2) {\n    totalCount\n  }\n}\n",
    defaultEditorToolsVisibility: true
  }));
})();
