import RunAsTUI
print("aws-runas-tui: not built yet")
