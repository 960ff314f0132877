"""`python -m greentech_cli` runs the greentech command."""

from greentech_cli.cli.app import main

if __name__ == "__main__":
    main()
