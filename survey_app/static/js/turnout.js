/* Refresh the turnout numbers every five seconds (without JS the page reloads itself). */
(function () {
  "use strict";
  var INTERVAL = 5000;

  function pct(value) { return value === null ? "—" : value + "%"; }

  function set(scope, selector, value) {
    var el = scope.querySelector(selector);
    if (el) { el.textContent = value; }
  }

  function render(main, data) {
    set(main, "[data-total=submitted]", data.total.submitted);
    set(main, "[data-total=expected]", data.total.expected);
    set(main, "[data-total=percent]", pct(data.total.percent));
    main.querySelector("[data-total=percent]").setAttribute("data-level", data.total.level);
    data.groups.forEach(function (g, i) {
      var row = main.querySelector("[data-row='" + i + "']");
      if (!row) { return; }
      set(row, "[data-field=issued]", g.issued);
      set(row, "[data-field=submitted]", g.submitted);
      set(row, "[data-field=expected]", g.expected);
      set(row, "[data-field=percent]", pct(g.percent));
      row.querySelector("[data-field=percent]").setAttribute("data-level", g.level);
      row.querySelector("[data-field=bar]").setAttribute("data-level", g.level);
      row.querySelector("[data-field=bar]").value = Math.min(g.percent || 0, 100);
    });
    set(document, "#updated", main.getAttribute("data-updated") + " " + new Date().toLocaleTimeString("zh-CN", { hour12: false }));
  }

  function poll(main) {
    var request = new XMLHttpRequest();
    request.open("GET", main.getAttribute("data-source"));
    request.onload = function () {
      var data = null;
      try { data = JSON.parse(request.responseText); } catch (e) { data = null; }
      /* Not JSON: the session ended and we got the login page, so show it. */
      if (request.status === 200 && data) { render(main, data); } else { window.location.reload(); }
    };
    request.send();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var main = document.getElementById("turnout");
    if (main) { setInterval(function () { poll(main); }, INTERVAL); }
  });
})();
