// Admin: the self-hosted Trix editor, set up before any <trix-editor> on the page connects (this file loads right
// after trix.umd.min.js, in the page's head, so the toolbar is built from these settings).
(function () {
  "use strict";
  if (!window.Trix) { return; }

  // Vietnamese labels: Trix uses each one as the button's text and its title (the tooltip), and in the link dialog.
  Object.assign(Trix.config.lang, {
    attachFiles: "Đính kèm",
    bold: "Đậm",
    bullets: "Danh sách",
    byte: "byte",
    bytes: "byte",
    captionPlaceholder: "Thêm chú thích…",
    code: "Mã",
    heading1: "Tiêu đề",
    indent: "Tăng thụt lề",
    italic: "Nghiêng",
    link: "Liên kết",
    numbers: "Danh sách số",
    outdent: "Giảm thụt lề",
    quote: "Trích dẫn",
    redo: "Làm lại",
    remove: "Gỡ bỏ",
    strike: "Gạch ngang",
    undo: "Hoàn tác",
    unlink: "Gỡ liên kết",
    url: "Địa chỉ liên kết",
    urlPlaceholder: "Nhập địa chỉ…"
  });

  // The article's title is the page's only <h1>, and the sanitiser (portal.text.ALLOWED_TAGS) keeps h2-h4 alone:
  // the "Tiêu đề" button writes <h2>, which also reads the headings of articles saved before back as headings.
  Trix.config.blockAttributes.heading1.tagName = "h2";
})();

// Files are uploaded as the article's attachments (the inline below the editor), never pasted or dropped into it.
document.addEventListener("trix-file-accept", function (event) { event.preventDefault(); });
