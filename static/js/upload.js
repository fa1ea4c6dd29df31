// Master uploads with a progress bar. Without this script the form posts as a plain form;
// with it, the same form is sent by XMLHttpRequest so the browser can report progress.
// Messages come from the form's data-msg-* attributes (translated by the page).
(function () {
  "use strict";

  var UNITS = ["B", "KB", "MB", "GB", "TB"];

  function formatBytes(bytes) {
    var value = bytes;
    var unit = 0;
    while (value >= 1000 && unit < UNITS.length - 1) {
      value /= 1000;
      unit += 1;
    }
    return (unit === 0 ? String(value) : value.toFixed(1)) + " " + UNITS[unit];
  }

  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : match;
    });
  }

  function errorMessages(body, fallback) {
    var messages = [];
    var error = body && body.error;
    if (error && error.fields) {
      Object.keys(error.fields).forEach(function (name) {
        messages = messages.concat(error.fields[name]);
      });
    } else if (error && error.message) {
      messages.push(error.message);
    }
    return messages.length ? messages : [fallback];
  }

  function setUp(form) {
    var panel = form.querySelector(".upload-progress");
    var bar = panel.querySelector("progress");
    var status = panel.querySelector(".upload-status");
    var errors = form.querySelector(".upload-errors");
    var submit = form.querySelector("button[type=submit]");
    var cancel = form.querySelector(".upload-cancel");
    var input = form.querySelector("input[type=file]");
    var maxBytes = parseInt(form.dataset.maxBytes || "0", 10);
    var xhr = null;

    function showErrors(messages) {
      errors.textContent = "";
      messages.forEach(function (message) {
        var line = document.createElement("p");
        line.textContent = message;
        errors.appendChild(line);
      });
      errors.hidden = messages.length === 0;
    }

    function finish(messages) {
      xhr = null;
      panel.hidden = true;
      submit.disabled = false;
      cancel.hidden = true;
      showErrors(messages);
    }

    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) {
        return; // an old browser: the plain form post works too
      }
      event.preventDefault();
      if (xhr) {
        return;
      }
      var file = input && input.files && input.files[0];
      if (file && maxBytes && file.size > maxBytes) {
        showErrors([form.dataset.msgTooLarge]);
        return;
      }
      showErrors([]);
      xhr = new XMLHttpRequest();
      var request = xhr;
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.responseType = "json";
      request.upload.addEventListener("progress", function (progress) {
        if (progress.lengthComputable) {
          bar.max = progress.total;
          bar.value = progress.loaded;
          status.textContent = fill(form.dataset.msgProgress, {
            done: formatBytes(progress.loaded),
            total: formatBytes(progress.total),
          });
        }
      });
      request.upload.addEventListener("load", function () {
        status.textContent = form.dataset.msgStoring;
      });
      request.addEventListener("load", function () {
        var body = request.response;
        if (request.status === 201 && body && body.url) {
          status.textContent = form.dataset.msgDone;
          window.location.assign(body.url);
          return;
        }
        finish(errorMessages(body, form.dataset.msgFailed));
      });
      request.addEventListener("error", function () {
        finish([form.dataset.msgNetwork]);
      });
      request.addEventListener("abort", function () {
        finish([form.dataset.msgCancelled]);
      });
      panel.hidden = false;
      bar.removeAttribute("max");
      bar.value = 0;
      status.textContent = "";
      submit.disabled = true;
      cancel.hidden = false;
      request.send(new FormData(form));
    });

    cancel.addEventListener("click", function () {
      if (xhr) {
        xhr.abort();
      }
    });
  }

  document.querySelectorAll("form[data-upload]").forEach(setUp);
})();
