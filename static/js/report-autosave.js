// The officer's report form: autosave what is typed as a draft on the server (directives.views.report_autosave),
// keep a copy in this tab (sessionStorage) until the server has it, and mark figures changed from the registry's.
// Loaded with defer; no inline scripts (CSP). Without JavaScript the form's "Lưu nháp" button does the same job.
(function () {
  "use strict";

  var DELAY_MS = 10000; // at most one save per 10 s of typing, and one on leaving a box or the page
  var RETRY_MS = 20000;

  function number(text) {
    var clean = String(text || "").replace(/[.\s]/g, "");
    return clean === "" ? null : Number(clean);
  }

  function markChanged(input) {
    var known = input.getAttribute("data-prefilled");
    var badge = document.querySelector("#" + input.id + "_nguon .prefill-changed");
    if (known === null || !badge) {
      return;
    }
    var now = number(input.value);
    badge.hidden = now === null || now === Number(known);
  }

  function setUp(form) {
    var url = form.getAttribute("data-autosave-url");
    var status = form.querySelector(".autosave-status");
    var conflict = form.querySelector(".autosave-conflict");
    var conflictText = form.querySelector(".autosave-conflict-text");
    var overwrite = form.querySelector(".autosave-overwrite");
    var versionInput = form.querySelector("input[name=version]");
    var draftInput = form.querySelector("input[name=draft_version]");
    var storageKey = "htx-nhap:" + form.getAttribute("data-storage-key");
    var timer = null;
    var dirty = false;
    var saving = false;
    var again = false;
    var stopped = false;

    function fields() {
      return form.querySelectorAll("textarea[name^=section_], input[name^=ind_]");
    }

    function snapshot() {
      var out = {};
      fields().forEach(function (field) {
        out[field.name] = field.value;
      });
      return out;
    }

    function say(text) {
      status.textContent = text;
    }

    function remember() {
      try {
        var entry = { version: versionInput.value, draft: draftInput.value, dirty: dirty, data: snapshot() };
        window.sessionStorage.setItem(storageKey, JSON.stringify(entry));
      } catch (error) {
        // storage full or refused: the server draft still holds what was saved
      }
    }

    function restore() {
      var kept = null;
      try {
        kept = JSON.parse(window.sessionStorage.getItem(storageKey) || "null");
      } catch (error) {
        return;
      }
      // Only over the very report and draft this tab last saw: what someone saved since wins, as on the server.
      if (!kept || !kept.dirty || kept.version !== versionInput.value || kept.draft !== draftInput.value) {
        return;
      }
      var restored = false;
      fields().forEach(function (field) {
        if (Object.prototype.hasOwnProperty.call(kept.data, field.name) && kept.data[field.name] !== field.value) {
          field.value = kept.data[field.name];
          restored = true;
        }
      });
      if (restored) {
        dirty = true;
        say("Đã khôi phục nội dung bạn gõ trên trình duyệt này nhưng chưa kịp lưu; bản nháp sẽ được lưu ngay.");
        schedule(1000);
      }
    }

    function schedule(delay) {
      if (!timer) {
        timer = window.setTimeout(function () {
          timer = null;
          save(false);
        }, delay);
      }
    }

    function showConflict(text, currentVersion) {
      stopped = true;
      conflictText.textContent = text;
      conflict.hidden = false;
      overwrite.hidden = currentVersion === null || currentVersion === undefined;
      overwrite.setAttribute("data-version", currentVersion === null ? "" : String(currentVersion));
      say("Bản nháp chưa được lưu.");
    }

    function save(leaving) {
      if (!dirty || stopped) {
        return;
      }
      if (saving) {
        again = true;
        return;
      }
      saving = true;
      var sent = JSON.stringify(snapshot());
      var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
      var body = new FormData();
      fields().forEach(function (field) {
        body.append(field.name, field.value);
      });
      body.append("version", versionInput.value);
      body.append("draft_version", draftInput.value);
      body.append("csrfmiddlewaretoken", token);
      var options = {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRFToken": token, Accept: "application/json" },
      };
      if (leaving && sent.length < 60000) {
        options.keepalive = true; // the page may be going away
      }
      window
        .fetch(url, options)
        .then(function (response) {
          if (response.type === "opaqueredirect" || response.status === 0 || response.status === 302) {
            say(
              "Phiên đăng nhập đã hết nên chưa lưu được nháp. Nội dung vẫn được giữ trên trình duyệt này: " +
                "hãy đăng nhập lại rồi mở lại trang này."
            );
            return null;
          }
          var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
          if (!json) {
            say(
              "Phiên làm việc đã hết hạn nên chưa lưu được nháp. Nội dung vẫn được giữ trên trình duyệt này: " +
                "hãy tải lại trang."
            );
            return null;
          }
          return response.json().then(function (data) {
            if (response.ok) {
              draftInput.value = String(data.draft_version);
              if (JSON.stringify(snapshot()) === sent) {
                dirty = false;
              }
              conflict.hidden = true;
              say(data.message);
            } else if (response.status === 409) {
              showConflict(data.error, data.draft_version);
            } else if (response.status === 429) {
              say(data.error);
              schedule(RETRY_MS);
            } else {
              say(data.error || "Chưa lưu được nháp.");
            }
          });
        })
        .catch(function () {
          say("Mất kết nối nên chưa lưu được nháp; sẽ thử lại sau ít giây.");
          schedule(RETRY_MS);
        })
        .then(function () {
          saving = false;
          remember();
          if (again) {
            again = false;
            save(false);
          }
        });
    }

    form.addEventListener("input", function (event) {
      if (event.target.matches && event.target.matches("input[name^=ind_]")) {
        markChanged(event.target);
      }
      if (!event.target.name || !/^(section_|ind_)/.test(event.target.name)) {
        return;
      }
      dirty = true;
      remember();
      schedule(DELAY_MS);
    });
    form.addEventListener("focusout", function () {
      save(false);
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        save(true);
      }
    });
    form.addEventListener("submit", function () {
      stopped = true; // the form itself now saves; a late autosave would only be refused
      if (timer) {
        window.clearTimeout(timer);
      }
    });
    overwrite.addEventListener("click", function () {
      draftInput.value = overwrite.getAttribute("data-version");
      stopped = false;
      conflict.hidden = true;
      dirty = true;
      save(false);
    });

    restore();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-prefilled]").forEach(markChanged);
    var form = document.querySelector("form[data-autosave-url]");
    if (form && window.fetch && window.FormData) {
      setUp(form);
    }
  });
})();
