// Master uploads with a progress bar. Without this script the form posts as a plain form.
// With it, the file goes to the resumable upload API in pieces (data-resumable-url): a lost
// connection is retried from the offset the server holds, and choosing the same file again
// after a reload continues where it stopped. Browsers without Blob.slice or Promise send
// the whole form by XMLHttpRequest instead. Messages come from the form's data-msg-*
// attributes (translated by the page).
(function () {
  "use strict";

  // Decimal units, as the pages show sizes (optout/lib/sizes.py): 1 MB = 1,000,000 bytes.
  var UNITS = ["B", "kB", "MB", "GB", "TB"];

  function formatBytes(bytes) {
    var value = bytes;
    var unit = 0;
    while (value >= 1000 && unit < UNITS.length - 1) {
      value /= 1000;
      unit += 1;
    }
    if (unit === 0) {
      return String(value) + " " + UNITS[unit];
    }
    var lang = document.documentElement.lang || undefined;
    var text;
    try {
      text = value.toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    } catch (e) {
      text = value.toFixed(1);
    }
    return text + " " + UNITS[unit];
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
      if (xhr || resumable.busy) {
        return;
      }
      var file = input && input.files && input.files[0];
      if (file && maxBytes && file.size > maxBytes) {
        showErrors([form.dataset.msgTooLarge]);
        return;
      }
      showErrors([]);
      if (file && file.size > 0 && resumable.supported) {
        resumable.send(file);
        return;
      }
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
      resumable.cancel();
    });

    var resumable = setUpResumable(form, {
      bar: bar,
      status: status,
      panel: panel,
      submit: submit,
      cancel: cancel,
      finish: finish,
      showErrors: showErrors,
    });
  }

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function wait(seconds) {
    return new Promise(function (resolve) {
      window.setTimeout(resolve, seconds * 1000);
    });
  }

  function sha256Header(piece) {
    // Only in secure contexts (https, localhost); the server takes pieces without it too.
    if (!window.crypto || !window.crypto.subtle || !piece.arrayBuffer) {
      return Promise.resolve(null);
    }
    return piece.arrayBuffer().then(function (buffer) {
      return window.crypto.subtle.digest("SHA-256", buffer);
    }).then(function (digest) {
      var bytes = new Uint8Array(digest);
      var text = "";
      for (var i = 0; i < bytes.length; i += 1) {
        text += String.fromCharCode(bytes[i]);
      }
      return "sha256 " + window.btoa(text);
    }).catch(function () {
      return null;
    });
  }

  function setUpResumable(form, ui) {
    var base = form.dataset.resumableUrl;
    var state = { busy: false, cancelled: false, xhr: null, url: null, key: null };
    state.supported = Boolean(
      base && window.Promise && window.Blob && Blob.prototype.slice && window.JSON
    );

    // One request; resolves with {status, body}, status 0 when the connection failed.
    function call(method, url, body, headers, onProgress) {
      return new Promise(function (resolve) {
        var request = new XMLHttpRequest();
        state.xhr = request;
        request.open(method, url);
        request.setRequestHeader("Accept", "application/json");
        request.setRequestHeader("X-CSRFToken", csrfToken(form));
        Object.keys(headers || {}).forEach(function (name) {
          request.setRequestHeader(name, headers[name]);
        });
        request.responseType = "json";
        if (onProgress) {
          request.upload.addEventListener("progress", onProgress);
        }
        request.addEventListener("load", function () {
          resolve({ status: request.status, body: request.response });
        });
        request.addEventListener("error", function () {
          resolve({ status: 0, body: null });
        });
        request.addEventListener("abort", function () {
          resolve({ status: -1, body: null });
        });
        request.send(body === undefined ? null : body);
      });
    }

    function remember(value) {
      try {
        if (value) {
          window.localStorage.setItem(state.key, value);
        } else {
          window.localStorage.removeItem(state.key);
        }
      } catch (error) {
        // Private browsing: resuming after a reload is not possible, the rest works.
      }
    }

    function recalled() {
      try {
        return window.localStorage.getItem(state.key);
      } catch (error) {
        return null;
      }
    }

    function showProgress(done, total) {
      ui.bar.max = total;
      ui.bar.value = done;
      ui.status.textContent = fill(form.dataset.msgProgress, {
        done: formatBytes(done),
        total: formatBytes(total),
      });
    }

    function stop(messages) {
      state.busy = false;
      state.xhr = null;
      ui.finish(messages);
    }

    function open(file, recording) {
      var previous = recalled();
      var resume = previous
        ? call("GET", previous).then(function (answer) {
            var body = answer.body;
            return answer.status === 200 && body && body.status === "open" &&
              body.size === file.size ? answer : null;
          })
        : Promise.resolve(null);
      return resume.then(function (answer) {
        if (answer) {
          state.url = previous;
          return answer;
        }
        var payload = JSON.stringify({ recording: recording, filename: file.name, size: file.size });
        return call("POST", base, payload, { "Content-Type": "application/json" }).then(
          function (created) {
            if (created.status === 201 && created.body) {
              state.url = base + created.body.id + "/";
              remember(state.url);
            }
            return created;
          }
        );
      });
    }

    function sendFrom(file, offset, chunk, failures) {
      if (state.cancelled) {
        return Promise.resolve();
      }
      if (offset >= file.size) {
        return call("GET", state.url).then(function (answer) {
          return finished(answer);
        });
      }
      var piece = file.slice(offset, Math.min(offset + chunk, file.size));
      return sha256Header(piece).then(function (checksum) {
        var headers = {
          "Content-Type": "application/offset+octet-stream",
          "Upload-Offset": String(offset),
        };
        if (checksum) {
          headers["Upload-Checksum"] = checksum;
        }
        return call("PUT", state.url, piece, headers, function (progress) {
          showProgress(offset + progress.loaded, file.size);
        });
      }).then(function (answer) {
        var body = answer.body || {};
        if (answer.status === -1 || state.cancelled) {
          return null;
        }
        if (answer.status === 201) {
          return finished(answer);
        }
        if (answer.status === 200) {
          showProgress(body.offset, file.size);
          return sendFrom(file, body.offset, chunk, 0);
        }
        if (answer.status === 409 && body.error && body.error.code === "offset_mismatch") {
          return sendFrom(file, body.offset, chunk, failures);
        }
        var pieceError = body.error && (body.error.code === "incomplete" ||
          body.error.code === "checksum_mismatch");
        if (answer.status === 0 || answer.status >= 500 || answer.status === 429 || pieceError) {
          return retry(file, chunk, failures + 1);
        }
        remember(null);
        stop(errorMessages(body, form.dataset.msgFailed));
        return null;
      });
    }

    function retry(file, chunk, failures) {
      if (failures > 8) {
        stop([form.dataset.msgNetworkResumable]);
        return null;
      }
      var seconds = Math.min(30, Math.pow(2, failures - 1));
      ui.status.textContent = fill(form.dataset.msgRetrying, { seconds: String(seconds) });
      return wait(seconds).then(function () {
        return call("GET", state.url);
      }).then(function (answer) {
        if (answer.status === 200 && answer.body && answer.body.status === "open") {
          return sendFrom(file, answer.body.offset, chunk, failures);
        }
        if (answer.status === 200 && answer.body && answer.body.status === "done") {
          return finished(answer);
        }
        if (answer.status === 0 || answer.status >= 500) {
          return retry(file, chunk, failures + 1);
        }
        remember(null);
        stop(errorMessages(answer.body, form.dataset.msgFailed));
        return null;
      });
    }

    function finished(answer) {
      var body = answer.body || {};
      if (body.status === "done" && body.master && body.master.page) {
        remember(null);
        ui.status.textContent = form.dataset.msgDone;
        window.location.assign(body.master.page);
        return null;
      }
      stop(errorMessages(body, form.dataset.msgFailed));
      return null;
    }

    state.send = function (file) {
      var field = form.querySelector("[name=recording]");
      var recording = field ? field.value.trim() : "";
      state.key = ["optout-upload", base, recording, file.name, file.size, file.lastModified].join("|");
      state.busy = true;
      state.cancelled = false;
      ui.panel.hidden = false;
      ui.bar.removeAttribute("max");
      ui.bar.value = 0;
      ui.status.textContent = "";
      ui.submit.disabled = true;
      ui.cancel.hidden = false;
      open(file, recording).then(function (answer) {
        var body = answer.body || {};
        if (state.cancelled) {
          return null;
        }
        if ((answer.status !== 200 && answer.status !== 201) || !state.url) {
          if (answer.status === 0) {
            stop([form.dataset.msgNetwork]);
          } else {
            stop(errorMessages(body, form.dataset.msgFailed));
          }
          return null;
        }
        if (body.offset > 0) {
          ui.status.textContent = fill(form.dataset.msgResuming, {
            done: formatBytes(body.offset),
            total: formatBytes(file.size),
          });
        }
        return sendFrom(file, body.offset || 0, body.chunk_bytes || 8388608, 0);
      });
    };

    state.cancel = function () {
      if (!state.busy) {
        return;
      }
      state.cancelled = true;
      if (state.xhr) {
        state.xhr.abort();
      }
      if (state.url) {
        call("DELETE", state.url);
      }
      remember(null);
      stop([form.dataset.msgCancelled]);
    };

    return state;
  }

  document.querySelectorAll("form[data-upload]").forEach(setUp);
})();
