-- SMB sources on a port other than 445 (a share forwarded through a gateway, or a test server).
ALTER TABLE instrument ADD COLUMN cifs_port INTEGER;

-- The signing secret of an http_webhook hook, sealed like the service accounts' secrets.
ALTER TABLE hook_config ADD COLUMN webhook_secret_sealed TEXT;

-- What went wrong in the hooks run for a transfer: [{hook_id, hook, error}], in the order they ran.
ALTER TABLE file_transfer ADD COLUMN hook_errors JSONB NOT NULL DEFAULT '[]';
