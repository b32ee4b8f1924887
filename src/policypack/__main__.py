from policypack.cli import main

main()
