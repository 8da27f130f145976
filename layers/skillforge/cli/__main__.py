from skillforge.cli import app

app()
