from authlab.cli import main

main()
