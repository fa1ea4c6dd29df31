// Several masters at once (templates/catalog/masters/_multi_upload.html). Files dropped on
// the section or chosen are matched to recordings by the server from their first and last
// bytes (the ISRC in their tags, else in their names); the preview lists each file with
// its recording, which the user may change; "Upload" then sends each file, one after the
// other, through the same upload endpoint as the single form. Without this script the
// section stays hidden and the single form works as before.
(function () {
  "use strict";

  var HEAD = 1024 * 1024;
  var TAIL = 256 * 1024;

  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : match;
    });
  }

  function messagesOf(body, fallback) {
    var error = body && body.error;
    var found = [];
    if (error && error.fields) {
      Object.keys(error.fields).forEach(function (name) { found = found.concat(error.fields[name]); });
    } else if (error && error.message) {
      found.push(error.message);
    }
    return found.length ? found.join(" ") : fallback;
  }

  function setUp(section) {
    var msg = section.dataset;
    var input = section.querySelector("input[type=file]");
    var zone = section.querySelector("[data-dropzone]");
    var wrap = section.querySelector("[data-preview]");
    var tbody = wrap.querySelector("tbody");
    var status = section.querySelector(".multi-status");
    var errors = section.querySelector("[data-errors]");
    var button = section.querySelector("[data-upload-all]");
    var token = section.querySelector("input[name=csrfmiddlewaretoken]").value;
    var maxBytes = parseInt(msg.maxBytes || "0", 10);
    var rows = [];
    section.hidden = false;

    function showError(text) {
      errors.textContent = text || "";
      errors.hidden = !text;
    }

    function cell(row, text) {
      var td = document.createElement("td");
      td.textContent = text;
      row.appendChild(td);
      return td;
    }

    function preview(files, matches) {
      tbody.textContent = "";
      rows = [];
      matches.forEach(function (match, index) {
        var tr = document.createElement("tr");
        var name = document.createElement("th");
        name.scope = "row";
        name.textContent = match.name;
        tr.appendChild(name);
        cell(tr, match.isrc ? match.isrc + " (" + (match.found_in === "tags" ? msg.msgTags : msg.msgName) + ")" : msg.msgNone);
        var td = cell(tr, "");
        var field = document.createElement("input");
        field.type = "text";
        field.setAttribute("data-lookup", "recordings");
        field.setAttribute("aria-label", match.name);
        field.value = match.recording ? match.recording.isrc || match.recording.id : "";
        td.appendChild(field);
        if (match.recording) {
          var title = document.createElement("span");
          title.className = "muted";
          title.textContent = " " + match.recording.title;
          td.appendChild(title);
        }
        var state = cell(tr, match.recording ? msg.msgMatched : msg.msgNoMatch);
        state.className = match.recording ? "ok" : "field-error";
        tbody.appendChild(tr);
        if (window.optoutLookup) {
          window.optoutLookup(field);
        }
        rows.push({ file: files[index], field: field, state: state, done: false });
      });
      wrap.hidden = false;
      button.hidden = rows.length === 0;
    }

    function match(files) {
      showError("");
      if (!files.length) {
        return;
      }
      status.textContent = msg.msgReading;
      var data = new FormData();
      files.forEach(function (file, index) {
        data.append("name_" + index, file.name);
        data.append("head_" + index, file.slice(0, HEAD), "head");
        if (file.size > HEAD) {
          data.append("tail_" + index, file.slice(Math.max(HEAD, file.size - TAIL)), "tail");
        }
      });
      fetch(msg.matchUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token, Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (answer) {
          status.textContent = "";
          if (!answer.ok) {
            showError(messagesOf(answer.body, msg.msgFailed));
            return;
          }
          preview(files, answer.body.files);
        })
        .catch(function () {
          status.textContent = "";
          showError(msg.msgNetwork);
        });
    }

    function uploadOne(row) {
      return new Promise(function (resolve) {
        var reference = row.field.value.trim();
        if (!reference) {
          row.state.textContent = msg.msgSkipped;
          resolve();
          return;
        }
        if (maxBytes && row.file.size > maxBytes) {
          row.state.textContent = msg.msgTooLarge;
          row.state.className = "field-error";
          resolve();
          return;
        }
        var data = new FormData();
        data.append("csrfmiddlewaretoken", token);
        data.append("recording", reference);
        data.append("file", row.file, row.file.name);
        var xhr = new XMLHttpRequest();
        xhr.open("POST", msg.uploadUrl);
        xhr.setRequestHeader("Accept", "application/json");
        xhr.setRequestHeader("X-CSRFToken", token);
        xhr.upload.addEventListener("progress", function (event) {
          if (event.lengthComputable) {
            row.state.textContent = fill(msg.msgProgress, { percent: Math.floor((100 * event.loaded) / event.total) + "%" });
          }
        });
        xhr.addEventListener("load", function () {
          var body = {};
          try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
          row.state.textContent = "";
          if (xhr.status === 201) {
            row.done = true;
            row.field.disabled = true;
            row.state.className = "ok";
            row.state.append(msg.msgReceived + " · ");
            var link = document.createElement("a");
            link.href = body.url;
            link.textContent = msg.msgOpen;
            row.state.appendChild(link);
          } else {
            row.state.className = "field-error";
            row.state.textContent = messagesOf(body, msg.msgFailed);
          }
          resolve();
        });
        xhr.addEventListener("error", function () {
          row.state.className = "field-error";
          row.state.textContent = msg.msgNetwork;
          resolve();
        });
        row.state.className = "";
        row.state.textContent = fill(msg.msgProgress, { percent: "0%" });
        xhr.send(data);
      });
    }

    button.addEventListener("click", function () {
      button.disabled = true;
      var waiting = rows.filter(function (row) { return !row.done; });
      waiting.forEach(function (row) {
        if (row.field.value.trim()) {
          row.state.textContent = msg.msgWaiting;
        }
      });
      waiting.reduce(function (previous, row) {
        return previous.then(function () { return uploadOne(row); });
      }, Promise.resolve()).then(function () {
        button.disabled = false;
      });
    });

    input.addEventListener("change", function () {
      match(Array.prototype.slice.call(input.files || []));
    });
    ["dragenter", "dragover"].forEach(function (name) {
      section.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("dropzone-active");
      });
    });
    section.addEventListener("dragleave", function () {
      zone.classList.remove("dropzone-active");
    });
    section.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("dropzone-active");
      var files = event.dataTransfer ? Array.prototype.slice.call(event.dataTransfer.files) : [];
      match(files);
    });
  }

  function start() {
    document.querySelectorAll("[data-multi-upload]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
