"""What people talk about: terms and phrases in comments, and the ones that rose against the last period."""
