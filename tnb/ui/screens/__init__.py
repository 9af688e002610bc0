"""The app's screens: the notebook, help and confirmation dialogs."""
