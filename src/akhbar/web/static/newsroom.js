// The newsroom's few behaviours, without a framework and under the Content-Security-Policy
// (a file from this site, no inline script, no eval):
// - the article form saves itself a few seconds after the editor stops typing (an autosave
//   revision, replaced by the next one until something else is saved);
// - the text is shown as readers will see it as it is typed: the server renders the Markdown and
//   sanitises it (nh3), the page only inserts what came back;
// - the media library beside the form puts an image in the text or makes it the article's photo;
// - a form with data-confirm asks before it is sent (withdrawing, removing a flag).
"use strict";

(function () {
  function encoded(form) {
    var fields = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (name !== "action" && typeof value === "string") fields.append(name, value);
    });
    return fields;
  }

  function post(url, form) {
    return fetch(url, {
      method: "POST",
      body: encoded(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json, text/html" },
    });
  }

  function later(run, wait) {
    var timer = null;
    return function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(run, wait);
    };
  }

  function autosave(form) {
    var status = document.getElementById("autosave-status");
    var dirty = false;
    var busy = false;
    function save() {
      if (!dirty || busy) return;
      dirty = false;
      busy = true;
      post(form.dataset.autosave, form)
        .then(function (answer) {
          return answer.json().then(function (body) {
            if (!answer.ok) throw new Error(body.error || answer.status);
            if (form.dataset.autosave.indexOf("/admin/articles/autosave") === 0) {
              form.action = "/admin/articles/" + body.entry;
              form.dataset.autosave = "/admin/articles/" + body.entry + "/autosave";
              history.replaceState(null, "", "/admin/articles/" + body.entry + "/edit");
            }
            status.textContent = status.dataset.saved + " " + body.saved_at + " (" + body.timezone + ")";
          });
        })
        .catch(function (problem) {
          dirty = true;
          status.textContent = status.dataset.failed + " " + problem.message;
        })
        .finally(function () {
          busy = false;
        });
    }
    var soon = later(save, 2500);
    form.addEventListener("input", function () {
      dirty = true;
      soon();
    });
    form.addEventListener("submit", function () {
      dirty = false;
    });
  }

  function preview(form) {
    var pane = document.getElementById("live-preview");
    var language = document.getElementById("language");
    function show() {
      post(form.dataset.preview, form).then(function (answer) {
        if (!answer.ok) return;
        return answer.text().then(function (sanitised) {
          pane.innerHTML = sanitised; // rendered and sanitised (nh3) by the server
        });
      });
      pane.lang = language.value;
      pane.dir = language.value === "ar" ? "rtl" : "ltr";
    }
    var soon = later(show, 500);
    document.getElementById("body").addEventListener("input", soon);
    language.addEventListener("change", show);
    show();
  }

  // The media library beside the form: put an image in the text at the cursor, or make it the photo.
  function library(form) {
    var body = document.getElementById("body");
    form.querySelectorAll("button[data-insert]").forEach(function (button) {
      button.addEventListener("click", function () {
        var at = body.selectionStart || body.value.length;
        var snippet = "\n\n" + button.dataset.insert + "\n\n";
        body.value = body.value.slice(0, at) + snippet + body.value.slice(at);
        body.dispatchEvent(new Event("input", { bubbles: true }));
        body.focus();
      });
    });
    form.querySelectorAll("button[data-photo]").forEach(function (button) {
      button.addEventListener("click", function () {
        document.getElementById("image_url").value = button.dataset.photo;
        var caption = document.getElementById("image_caption");
        if (!caption.value) caption.value = button.dataset.caption;
        form.dispatchEvent(new Event("input", { bubbles: true }));
      });
    });
  }

  var form = document.getElementById("article-form");
  if (form) {
    autosave(form);
    preview(form);
    library(form);
  }
  document.querySelectorAll("form[data-confirm]").forEach(function (asking) {
    asking.addEventListener("submit", function (event) {
      if (!window.confirm(asking.dataset.confirm)) event.preventDefault();
    });
  });
})();
