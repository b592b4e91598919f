// Admin: the self-hosted Trix editor takes no pasted or dropped files (attachments are uploaded separately).
document.addEventListener("trix-file-accept", function (event) { event.preventDefault(); });
