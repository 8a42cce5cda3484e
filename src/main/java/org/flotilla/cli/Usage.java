package org.flotilla.cli;

/** The usage text of xe (newcli.ml), shown on a bare "xe" and atop "xe help". */
final class Usage {
    private Usage() {}

    static final String OPTIONS = """
                [ -s <server> ]            XenServer host
                [ -p <port> ]              XenServer port number
                [ -u <username> -pw <password> | -pwf <password file> ]
                                           User authentication (password or file)
                [ --nossl ]                Disable SSL/TLS
                [ --debug ]                Enable debug output
                [ --minimal ]              Output only values in a comma-separated lists
                [ <other arguments> ... ]  Command-specific options
            """;

    static final String TEXT = "Usage:\n  xe <command>\n" + OPTIONS + """

            A full list of commands can be obtained by running
              xe help -s <server> -p <port>""";
}
