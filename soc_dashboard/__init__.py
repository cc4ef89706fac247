"""The SOC console (Dash): ``app.create_app``, ``server.serve``, accounts, pages and views."""
