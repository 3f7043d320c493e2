"""Signed webhooks: organizations register HTTPS endpoints that receive each change to their referrals."""
