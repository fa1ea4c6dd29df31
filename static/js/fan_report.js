// Suggestions for the public fan report form: names from the label's public catalogue.
(function () {
  "use strict";
  function start() {
    var form = document.querySelector("form[data-names-url]");
    var input = form && form.querySelector("input[list='catalog-names']");
    var list = document.getElementById("catalog-names");
    if (!form || !input || !list) return;
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2 || q === asked) return;
        asked = q;
        fetch(form.dataset.namesUrl + "?q=" + encodeURIComponent(q), {
          headers: { Accept: "application/json" },
          credentials: "omit",
        })
          .then(function (r) { return r.ok ? r.json() : { names: [] }; })
          .then(function (data) {
            list.replaceChildren();
            (data.names || []).forEach(function (name) {
              var option = document.createElement("option");
              option.value = name;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 250);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
