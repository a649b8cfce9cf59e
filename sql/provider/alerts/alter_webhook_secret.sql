-- Rotates the credential in place (bound to the ?), so the integration naming the secret keeps working.
ALTER SECRET {{SECRET}} SET SECRET_STRING = ?
