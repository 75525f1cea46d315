"""The platform's web console (issue 16): pages for township and county officers and admins."""
