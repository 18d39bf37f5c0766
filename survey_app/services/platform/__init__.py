"""Platform: what every capability stands on. Accounts and sign-in back-off (users,
login_backoff), the permission policy (permissions), the audit log and its sentences
(audit, audit_text), confirmation of irreversible steps (confirmation), API tokens,
backup and restore, evidence files (file_store: a local folder or an S3 bucket;
evidence_files: content checks, StoredFile records, serving), and the shared building
blocks of exports and uploads: formatted sheets and safe workbook reading (sheets), A4 PDF
pages with the embedded CJK font (pdf_layout, pdf_fonts), the words of generated text
(phrasing), uploaded JSON documents read and checked against their schema
(json_documents), and small checks of typed values (plain_values).

Imports no other capability package.
"""
