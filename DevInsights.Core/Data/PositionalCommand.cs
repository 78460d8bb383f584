using System.Data.Common;

namespace DevInsights.Core.Data;

/// <summary>A hand-written statement built once per connection and re-bound per use, with positional parameters
/// @p0..@pN: the writers' hot paths (ingestion, re-pricing) skip EF and re-create nothing per row.</summary>
internal sealed class PositionalCommand
{
    private readonly DbCommand _command;

    public PositionalCommand(DbConnection connection, string sql, int parameters, bool prepare = false)
    {
        _command = connection.CreateCommand();
        _command.CommandText = sql;
        for (var i = 0; i < parameters; i++)
        {
            var p = _command.CreateParameter();
            p.ParameterName = "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _command.Parameters.Add(p);
        }
        if (prepare) _command.Prepare();
    }

    public DbParameterCollection Parameters => _command.Parameters;

    /// <summary>The command in <paramref name="tx"/> with its parameters set, in order, to <paramref name="values"/> (null: DBNull).</summary>
    public DbCommand Bind(DbTransaction? tx, params ReadOnlySpan<object?> values)
    {
        _command.Transaction = tx;
        for (var i = 0; i < values.Length; i++) _command.Parameters[i].Value = values[i] ?? DBNull.Value;
        return _command;
    }
}
