// Pickers that search as you type (optout/lookups.py). A field with data-lookup="<kind>"
// gets a <datalist> filled from /l/<slug>/lookup/<kind>/?q= as the user types; a field
// with data-lookup-multiple (one record per line) gets a search box beside it, and each
// record picked there is added as a line. Without this script every field is a plain text
// field that accepts the ISRC, UPC/EAN, ISWC or code.
(function () {
  "use strict";
  var match = window.location.pathname.match(/^\/l\/([^/]+)\//);
  if (!match) {
    return;
  }
  var base = "/l/" + match[1] + "/lookup/";
  var counter = 0;

  function withinValue(input) {
    var name = input.getAttribute("data-lookup-within");
    if (!name || !input.form) {
      return "";
    }
    var other = input.form.elements.namedItem(name);
    return other && "value" in other ? other.value : "";
  }

  function attach(input, kind, onPick) {
    var list = document.createElement("datalist");
    counter += 1;
    list.id = "lookup-list-" + counter;
    input.after(list);
    input.setAttribute("list", list.id);
    var timer = null;
    var shown = {};
    var asked = 0;
    input.addEventListener("input", function () {
      if (onPick && shown[input.value]) {
        onPick(input.value);
        return;
      }
      window.clearTimeout(timer);
      var query = input.value.trim();
      if (query.length < 2) {
        return;
      }
      timer = window.setTimeout(function () {
        asked += 1;
        var mine = asked;
        var url = base + encodeURIComponent(kind) + "/?q=" + encodeURIComponent(query);
        var within = withinValue(input);
        if (within) {
          url += "&within=" + encodeURIComponent(within);
        }
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (body) {
            if (mine !== asked) {
              return; // an answer to an older question
            }
            list.textContent = "";
            shown = {};
            body.results.forEach(function (result) {
              var option = document.createElement("option");
              option.value = result.value;
              option.label = result.text;
              option.textContent = result.text;
              list.appendChild(option);
              shown[result.value] = true;
            });
            input.dispatchEvent(new CustomEvent("lookup:results", { bubbles: true }));
          })
          .catch(function () { /* the field still takes a typed identifier */ });
      }, 200);
    });
  }

  function enhance(field) {
    var kind = field.getAttribute("data-lookup");
    if (field.hasAttribute("data-lookup-multiple")) {
      var search = document.createElement("input");
      search.type = "search";
      search.className = "lookup-add";
      search.setAttribute("autocomplete", "off");
      search.setAttribute("aria-label", field.getAttribute("data-lookup-add-label") || "Search to add");
      search.placeholder = field.getAttribute("data-lookup-add-label") || "Search to add";
      field.after(search);
      attach(search, kind, function (value) {
        var lines = field.value.split(/\n/).map(function (l) { return l.trim(); }).filter(Boolean);
        if (lines.indexOf(value) === -1) {
          lines.push(value);
        }
        field.value = lines.join("\n");
        search.value = "";
      });
    } else {
      attach(field, kind, null);
    }
  }

  // Fields made later (the multi-upload preview's rows) are enhanced through this.
  window.optoutLookup = function (field) {
    if (!field.hasAttribute("list")) {
      enhance(field);
    }
  };

  function start() {
    document.querySelectorAll("[data-lookup]").forEach(enhance);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
