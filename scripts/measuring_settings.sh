# Sourced by the scripts that measure the site (`. scripts/measuring_settings.sh NAME`): the
# production settings they share (DEBUG off, plain static files, no HTTPS redirect on loopback)
# and, unless given, throwaway keys named after the script, so that nothing is measured with
# development settings and no key is kept. Each script adds its own database and hosts.
export DEBUG=0 SECURE_SSL_REDIRECT=0 STATIC_MANIFEST=0 LOG_LEVEL=WARNING
export SECRET_KEY="${SECRET_KEY:-$1-only-$(python3 -c 'import secrets; print(secrets.token_urlsafe(40))')}"
export SPENT_CODE_KEY="${SPENT_CODE_KEY:-$1-only-spent-$(python3 -c 'import secrets; print(secrets.token_urlsafe(40))')}"
